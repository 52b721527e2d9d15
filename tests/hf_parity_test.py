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

"""Parity of `LongformerEncoder` with HF PyTorch `LongformerModel`."""
import numpy as np
import pytest

import hf_reference
from longformer.conversion import checkpoint_conversion

# (name, HF config overrides, global_attention_size, seq_length, real lengths)
CASES = [
    ('per_layer_windows_global_1', {}, 1, 37, [37, 20, 5]),
    ('global_0', {}, 0, 37, [37, 12, 30]),
    ('global_several', {}, 3, 29, [29, 4, 17]),
    ('padding_rows_shorter_than_global', {}, 3, 21, [21, 2, 1]),
    ('length_multiple_of_window', {}, 1, 32, [32, 32, 9]),
    ('window_larger_than_sequence', {'attention_window': [64, 64]}, 2, 13,
     [13, 7, 13]),
    ('dense_band_lengths', {'attention_window': [16, 8]}, 1, 18,
     [18, 11, 3]),
    ('three_layers_varied_windows',
     {'num_hidden_layers': 3, 'attention_window': [4, 8, 4]}, 2, 41,
     [41, 33, 19]),
    ('one_type_pad_0_relu', {'type_vocab_size': 1, 'pad_token_id': 0,
                             'hidden_act': 'relu'}, 1, 26, [26, 25, 8]),
]


@pytest.mark.parametrize('name,overrides,global_size,seq_length,lengths',
                         CASES, ids=[c[0] for c in CASES])
def test_outputs_match_hf_pytorch(name, overrides, global_size, seq_length,
                                  lengths):
  del name
  model = hf_reference.hf_model(hf_reference.tiny_hf_config(**overrides))
  encoder = hf_reference.converted_encoder(model, global_size)
  batch = hf_reference.random_batch(model.config, len(lengths), seq_length,
                                    global_size, real_lengths=lengths)
  ours = {k: (v.numpy() if not isinstance(v, list) else
              [x.numpy() for x in v])
          for k, v in encoder(batch, training=False).items()}
  hf_reference.assert_parity(
      ours, hf_reference.hf_outputs(model, batch, global_size))


def _sequence_output_diff(model, state) -> float:
  """Max abs diff from HF of an encoder holding `state` instead of `model`'s
  weights (1 global token, a padded batch of 2 x 30)."""
  encoder = hf_reference.converted_encoder(model, 1, state=state)
  batch = hf_reference.random_batch(model.config, 2, 30, 1)
  diff, _ = hf_reference.max_diff(
      encoder(batch)['sequence_output'].numpy(),
      hf_reference.hf_outputs(model, batch, 1)['sequence_output'])
  return diff


def test_corrupted_mapping_breaks_parity():
  """Negative control: swapping the local and global value projections
  moves the outputs far beyond the parity tolerance.

  (The original port's swap of the key biases is invisible in the outputs:
  a key bias adds the same q.b to every score of a query, which the softmax
  cancels; `test_key_bias_is_softmax_invariant` pins that down.)
  """
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  state = hf_reference.state_of(model)
  for layer in range(model.config.num_hidden_layers):
    prefix = f'encoder.layer.{layer}.attention.self.'
    for weight in ('weight', 'bias'):
      local, other = prefix + 'value.' + weight, prefix + 'value_global.' + weight
      state[local], state[other] = state[other], state[local]
  diff = _sequence_output_diff(model, state)
  assert diff > 100 * hf_reference.PARITY_ATOL, diff


def test_dropping_position_offset_breaks_parity():
  """Negative control: a position table shifted by RoBERTa's offset (the
  original port's mistake) is caught by the parity comparison."""
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  state = hf_reference.state_of(model)
  offset = model.config.pad_token_id + 1
  table = state['embeddings.position_embeddings.weight']
  state['embeddings.position_embeddings.weight'] = np.concatenate(
      [table[offset:], table[:offset]])
  diff = _sequence_output_diff(model, state)
  assert diff > 100 * hf_reference.PARITY_ATOL, diff


def test_task_checkpoint_prefix_is_stripped():
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  state = {checkpoint_conversion.TASK_MODEL_PREFIX + k: v
           for k, v in hf_reference.state_of(model).items()}
  state['classifier.dense.weight'] = np.zeros((2, 2), np.float32)
  encoder = hf_reference.converted_encoder(model, 1, state=state)
  batch = hf_reference.random_batch(model.config, 2, 19, 1)
  ours = encoder(batch)
  diff, where = hf_reference.max_diff(
      ours['sequence_output'].numpy(),
      hf_reference.hf_outputs(model, batch, 1)['sequence_output'])
  assert diff <= hf_reference.PARITY_ATOL, (diff, where)


def test_key_bias_is_softmax_invariant():
  """Why swapping key biases cannot be caught by outputs: with random key
  biases the outputs still match HF (so the parity tests cover everything
  that matters, and the converter's shape/name checks cover the rest)."""
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  state = hf_reference.state_of(model)
  rng = np.random.default_rng(1)
  for layer in range(model.config.num_hidden_layers):
    name = f'encoder.layer.{layer}.attention.self.key.bias'
    state[name] = rng.normal(size=state[name].shape).astype(np.float32)
  diff = _sequence_output_diff(model, state)
  assert diff <= hf_reference.PARITY_ATOL, diff
