"""Longformer for TensorFlow Model Garden.

Importing this package binds `LongformerEncoderConfig` to its builder (so
`encoders.build_encoder(EncoderConfig(type='any', any=...))` works) and
registers the `longformer/glue` and `longformer/pretraining` experiments.
"""
from longformer.attention import LongformerAttention
from longformer.config import LongformerEncoderConfig
from longformer.encoder import LongformerEncoder
from longformer.encoder_block import LongformerEncoderBlock
from longformer import experiment_configs  # pylint: disable=unused-import

__all__ = [
    'LongformerAttention',
    'LongformerEncoder',
    'LongformerEncoderBlock',
    'LongformerEncoderConfig',
]
