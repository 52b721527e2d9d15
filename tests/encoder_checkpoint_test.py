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

"""A checkpoint written by the pre-plan code loads and computes the same.

`testdata/encoder_v1` was written by `testdata/make_encoder_v1.py` with the
code before the attention plan and the self-owned block (commit c6ffa6d);
its outputs are that code's, not today's.
"""
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from longformer.modeling import encoder as encoder_lib

_DIR = os.path.join(os.path.dirname(__file__), 'testdata', 'encoder_v1')
_TOLERANCE = 1e-6


def _restored_encoder():
  with open(os.path.join(_DIR, 'config.json')) as f:
    encoder = encoder_lib.LongformerEncoder(**json.load(f))
  data = np.load(os.path.join(_DIR, 'io.npz'))
  inputs = {k: data[k] for k in ('input_word_ids', 'input_mask',
                                 'input_type_ids')}
  encoder(inputs)  # Builds the variables.
  status = tf.train.Checkpoint(encoder=encoder).read(
      os.path.join(_DIR, 'ckpt'))
  status.assert_existing_objects_matched().assert_consumed()
  return encoder, inputs, data


@pytest.fixture(scope='module')
def restored():
  return _restored_encoder()


def test_old_checkpoint_keeps_variable_names(restored):
  encoder, _, _ = restored
  with open(os.path.join(_DIR, 'variables.json')) as f:
    expected = [[name, shape] for name, shape in json.load(f)]
  assert [[v.name, v.shape.as_list()] for v in encoder.weights] == expected


def test_old_checkpoint_reproduces_old_outputs(restored):
  encoder, inputs, data = restored
  outputs = encoder(inputs)
  marked = encoder(dict(
      inputs, global_attention_mask=data['global_attention_mask']))
  pairs = [(outputs['sequence_output'], 'sequence_output'),
           (outputs['pooled_output'], 'pooled_output'),
           (outputs['encoder_outputs'][0], 'layer_0_output'),
           (marked['sequence_output'], 'marked_sequence_output')]
  for got, key in pairs:
    diff = np.max(np.abs(got.numpy() - data[key]))
    assert diff <= _TOLERANCE, (key, diff)


def test_negative_control_changed_weight_changes_outputs(restored):
  encoder, inputs, data = restored
  dense = encoder.transformer_layers[1].output_dense
  original = dense.kernel.numpy()
  try:
    dense.kernel.assign(original + np.random.default_rng(0).normal(
        0.0, 0.05, original.shape).astype(np.float32))
    diff = np.max(np.abs(encoder(inputs)['sequence_output'].numpy() -
                         data['sequence_output']))
  finally:
    dense.kernel.assign(original)
  assert diff > 1e-4


def test_negative_control_other_architecture_does_not_load():
  with open(os.path.join(_DIR, 'config.json')) as f:
    config = dict(json.load(f), num_layers=1, attention_window=8)
  encoder = encoder_lib.LongformerEncoder(**config)
  data = np.load(os.path.join(_DIR, 'io.npz'))
  encoder({k: data[k] for k in ('input_word_ids', 'input_mask',
                                'input_type_ids')})
  status = tf.train.Checkpoint(encoder=encoder).read(
      os.path.join(_DIR, 'ckpt'))
  with pytest.raises(AssertionError):
    status.assert_consumed()
