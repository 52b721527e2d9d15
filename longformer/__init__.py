"""Longformer for TensorFlow Model Garden.

Importing this package binds `LongformerEncoderConfig` to its builder (so
`encoders.build_encoder(EncoderConfig(type='any', any=...))` works) and
registers the `longformer/*` experiments.

Layout (imports point one way: configs -> modeling; data and conversion
beside them):
  modeling/    the model: window math, attention, block, encoder, heads
  configs/     the encoder config and the registered experiments
  tasks/       Model Garden task subclasses
  data/        input formats -> TFRecords, the shared tokenizer loader
  conversion/  HF Longformer / RoBERTa weights in and out, self-checks
  serving/     SavedModel export
  training/    train.py's guards: model-dir lock, resume and input checks
  files/       writing a set of output files all or nothing
"""
from longformer.configs import experiments  # pylint: disable=unused-import
from longformer.configs.encoder_config import LongformerEncoderConfig
from longformer.modeling.attention import LongformerAttention
from longformer.modeling.encoder import LongformerEncoder
from longformer.modeling.encoder_block import LongformerEncoderBlock

__all__ = [
    'LongformerAttention',
    'LongformerEncoder',
    'LongformerEncoderBlock',
    'LongformerEncoderConfig',
]
