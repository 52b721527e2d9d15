# Copyright 2026 The Longformer-TF Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

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
import warnings

# tensorflow_hub (imported by Model Garden's tasks, below) imports the
# deprecated pkg_resources, which warns on import (setuptools < 81 is
# pinned, so it works). Importing it first with that one warning ignored
# keeps every tool's output free of it; no other warning is touched.
with warnings.catch_warnings():
  warnings.filterwarnings('ignore', message='pkg_resources is deprecated',
                          category=UserWarning)
  import pkg_resources  # pylint: disable=g-import-not-at-top,unused-import

# pylint: disable=g-import-not-at-top,g-bad-import-order
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
