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

"""Attention probabilities: parity with HF `output_attentions=True`.

`return_attention_scores=True` in `LongformerEncoderConfig` makes the
encoder built by Model Garden's `encoders.build_encoder` also output
`attentions` [B, N, T, G + 2W + 1] and `global_attentions` [B, N, T, G] per
layer. The reference is HF PyTorch `LongformerModel(...,
output_attentions=True)` holding the same weights (`hf_reference`).

HF's layouts differ from ours only where HF has no meaningful value, and
the tests pin those differences down: HF has as many global columns as the
batch's largest number of global tokens (ours: global_attention_size, the
extra columns 0), pads the key axis of `global_attentions` to a multiple of
the window (ours: the input's length; HF's extra keys are 0), and fills a
row's empty global slots with 1 / T_padded (ours: 0).
"""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras
import torch

import hf_reference
from longformer.configs import encoder_config as config_lib
from longformer.conversion import checkpoint_conversion
from official.nlp.configs import encoders

# (name, HF overrides, G, T, real lengths, global positions per row)
CASES = [
    ('arbitrary_positions_padding_per_layer_windows', {}, 3, 37,
     [37, 20, 5], [[0, 18, 36], [3, 19], [2]]),
    ('fewer_globals_than_slots_dense_band', {'attention_window': [16, 8]}, 3,
     18, [18, 11, 3], [[9, 17], [10], []]),
    ('three_layers_adjacent_globals_odd_window',
     {'num_hidden_layers': 3, 'attention_window': [4, 6, 8]}, 2, 41,
     [41, 33, 19], [[20, 21], [31, 32], [18]]),
    ('no_global_slots', {}, 0, 29, [29, 4], [[], []]),
    # G * N >= D: the global rows project every token's keys (not folded).
    ('unfolded_global_rows', {'num_attention_heads': 8}, 4, 26, [26, 21],
     [[0, 7, 8, 25], [20, 1]]),
]


def _build(model, global_size, global_tokens='first', scores=True,
           state=None):
  """Our encoder through Model Garden's builder, holding HF's weights."""
  config = checkpoint_conversion.encoder_config_from_hf(
      model.config.to_dict(), global_attention_size=global_size)
  config.global_tokens = global_tokens
  config.dropout_rate = 0.0
  config.attention_dropout_rate = 0.0
  config.return_attention_scores = scores
  encoder = encoders.build_encoder(
      encoders.EncoderConfig(type='any', any=config))
  batch = hf_reference.random_batch(model.config, 1, 8, global_size)
  encoder(batch)
  checkpoint_conversion.load_hf_weights(
      encoder, state or hf_reference.state_of(model))
  return encoder


def _global_mask(batch, positions):
  mask = np.zeros_like(batch['input_mask'])
  for row, cols in enumerate(positions):
    mask[row, cols] = 1
  return mask


def _hf_attentions(model, batch, global_mask):
  """HF's (attentions, global_attentions or None) as NumPy lists."""
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  with torch.no_grad():
    out = model(input_ids=as_long(batch['input_word_ids']),
                attention_mask=as_long(batch['input_mask']),
                global_attention_mask=as_long(global_mask),
                token_type_ids=as_long(batch['input_type_ids']),
                output_attentions=True)
  global_attentions = out.global_attentions
  return ([a.numpy() for a in out.attentions],
          None if global_attentions is None else
          [a.numpy() for a in global_attentions])


def _assert_close(name, ours, theirs):
  diff, where = hf_reference.max_diff(ours, theirs)
  assert diff <= hf_reference.PARITY_ATOL, f'{name}: {diff:.3g} at {where}'


def _assert_matches_hf(ours_local, ours_global, hf_local, hf_global,
                       global_mask, global_size, seq_length):
  """Compares one layer, after checking HF's filler where ours differ."""
  used = int(global_mask.sum(axis=1).max())  # HF's global column count.
  assert hf_local.shape[-1] == used + ours_local.shape[-1] - global_size
  assert not ours_local[..., used:global_size].any()  # Unused slots: 0.
  _assert_close('attentions',
                np.concatenate([ours_local[..., :used],
                                ours_local[..., global_size:]], axis=-1),
                hf_local)
  if hf_global is None:
    assert ours_global.shape == ours_local.shape[:3] + (0,)
    return
  padded_length = hf_global.shape[2]  # HF's keys: padded to the window.
  assert padded_length >= seq_length
  assert not ours_global[..., used:].any()
  ours_global = ours_global[..., :used]
  for row, count in enumerate(global_mask.sum(axis=1)):
    # HF's empty slots hold the filler 1 / padded_length; ours are 0.
    np.testing.assert_allclose(hf_global[row, :, :, count:],
                               1.0 / padded_length, rtol=1e-6)
    assert not ours_global[row, :, :, count:].any()
    # HF's padded keys of the real slots are 0; ours stop at seq_length.
    assert not hf_global[row, :, seq_length:, :count].any()
    if count:
      _assert_close(f'global_attentions row {row}',
                    ours_global[row, :, :, :count],
                    hf_global[row, :, :seq_length, :count])


@pytest.mark.parametrize('name,overrides,g,t,lengths,positions', CASES,
                         ids=[c[0] for c in CASES])
def test_attentions_match_hf_under_tf_function(name, overrides, g, t,
                                               lengths, positions):
  del name
  model = hf_reference.hf_model(hf_reference.tiny_hf_config(**overrides))
  encoder = _build(model, g)
  batch = hf_reference.random_batch(model.config, len(lengths), t, g,
                                    real_lengths=lengths)
  global_mask = _global_mask(batch, positions)
  ours = tf.function(lambda x: encoder(x, training=False))(
      dict(batch, global_attention_mask=global_mask))
  hf_local, hf_global = _hf_attentions(model, batch, global_mask)
  layers = model.config.num_hidden_layers
  assert len(ours['attentions']) == len(ours['global_attentions']) == layers
  for layer in range(layers):
    windows = model.config.attention_window
    assert ours['attentions'][layer].shape == (
        len(lengths), model.config.num_attention_heads, t,
        g + windows[layer] + 1)
    _assert_matches_hf(ours['attentions'][layer].numpy(),
                       ours['global_attentions'][layer].numpy(),
                       hf_local[layer],
                       None if hf_global is None else hf_global[layer],
                       global_mask, g, t)


def test_keras_model_with_marked_input_mask_matches_hf():
  """A Keras model on `tf_keras.Input`, global tokens as input_mask 2."""
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  encoder = _build(model, 2, global_tokens='marked')
  keras_model = tf_keras.Model(encoder.inputs, encoder(encoder.inputs))
  batch = hf_reference.random_batch(model.config, 2, 30, 2,
                                    real_lengths=[30, 14])
  positions = [[4, 25], [13]]
  global_mask = _global_mask(batch, positions)
  marked = dict(batch, input_mask=batch['input_mask'] + global_mask)
  ours = keras_model(marked)
  hf_local, hf_global = _hf_attentions(model, batch, global_mask)
  for layer in range(2):
    _assert_matches_hf(ours['attentions'][layer].numpy(),
                       ours['global_attentions'][layer].numpy(),
                       hf_local[layer], hf_global[layer], global_mask, 2, 30)


def test_swapped_query_key_and_other_layer_break_parity():
  """Negative controls: local query and key projections swapped, and one
  layer compared with the other, are far outside the tolerance."""
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  state = hf_reference.state_of(model)
  for layer in range(model.config.num_hidden_layers):
    prefix = f'encoder.layer.{layer}.attention.self.'
    for weight in ('weight', 'bias'):
      query, key = prefix + 'query.' + weight, prefix + 'key.' + weight
      state[query], state[key] = state[key], state[query]
  batch = hf_reference.random_batch(model.config, 2, 37, 1,
                                    real_lengths=[37, 20])
  global_mask = _global_mask(batch, [[5], [11]])
  inputs = dict(batch, global_attention_mask=global_mask)
  hf_local, _ = _hf_attentions(model, batch, global_mask)
  swapped = _build(model, 1, state=state)(inputs)
  diff, _ = hf_reference.max_diff(swapped['attentions'][0], hf_local[0])
  assert diff > 100 * hf_reference.PARITY_ATOL, diff
  # Same window (8) in both layers, so the shapes agree.
  model = hf_reference.hf_model(hf_reference.tiny_hf_config(
      attention_window=[8, 8]))
  hf_local, hf_global = _hf_attentions(model, batch, global_mask)
  ours = _build(model, 1)(inputs)
  for name, ours_list, hf_list in (('attentions', ours['attentions'],
                                    hf_local),
                                   ('global', ours['global_attentions'],
                                    [g[:, :, :37] for g in hf_global])):
    _assert_close(name, ours_list[0], hf_list[0])  # The control's baseline.
    diff, _ = hf_reference.max_diff(ours_list[0], hf_list[1])
    assert diff > 100 * hf_reference.PARITY_ATOL, (name, diff)


def test_off_by_default_and_adds_no_work_when_off():
  """Without the option: the three Model Garden outputs only, and the
  traced graph is smaller than with it (the extra work is skipped)."""
  assert config_lib.LongformerEncoderConfig().return_attention_scores is False
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  batch = hf_reference.random_batch(model.config, 2, 37, 1)
  op_counts = {}
  for scores in (False, True):
    encoder = _build(model, 1, scores=scores)
    function = tf.function(lambda x, e=encoder: e(x, training=False))
    graph = function.get_concrete_function(
        {k: tf.TensorSpec([None, None], tf.int32) for k in batch}).graph
    op_counts[scores] = len(graph.get_operations())
    if not scores:
      assert sorted(function(batch)) == [
          'encoder_outputs', 'pooled_output', 'sequence_output']
  assert op_counts[False] < op_counts[True], op_counts
