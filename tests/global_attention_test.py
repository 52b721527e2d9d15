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

"""Global attention at any position: parity with HF `global_attention_mask`.

Our encoder holds the HF weights (`hf_reference`); HF PyTorch
`LongformerModel(..., global_attention_mask=...)` is the reference. Global
tokens reach the encoder as HF's `global_attention_mask` input or, through
Model Garden's data path, as `input_mask` value 2 with global_tokens='marked'.
"""
import numpy as np
import pytest
import tensorflow as tf

import hf_reference

# (name, HF overrides, G, T, real lengths, global positions per row)
CASES = [
    ('start_middle_end_counts_0_to_G', {}, 3, 37, [37, 30, 25, 20],
     [[0, 18, 36], [], [5], [0, 19]]),
    ('next_to_padding_and_adjacent', {}, 4, 33, [33, 12, 9],
     [[31, 32], [10, 11], [0, 1, 7, 8]]),
    ('inside_each_others_windows_three_layers',
     {'num_hidden_layers': 3, 'attention_window': [4, 8, 4]}, 3, 41,
     [41, 33, 19], [[20, 21, 23], [3, 30, 32], [18]]),
    ('dense_band_lengths', {'attention_window': [16, 8]}, 2, 18,
     [18, 11, 3], [[9, 17], [10], [1, 2]]),
    ('one_type_pad_0', {'type_vocab_size': 1, 'pad_token_id': 0}, 2, 26,
     [26, 25, 8], [[13], [0, 24], [7]]),
]
IDS = [c[0] for c in CASES]


def _global_mask(batch, positions):
  """HF global_attention_mask int [B, T] with 1 at the given positions."""
  mask = np.zeros_like(batch['input_mask'])
  for row, cols in enumerate(positions):
    mask[row, cols] = 1
  return mask


def _setup(overrides, global_size, seq_length, lengths, positions,
           global_tokens='first'):
  model = hf_reference.hf_model(hf_reference.tiny_hf_config(**overrides))
  encoder = hf_reference.converted_encoder(model, global_size,
                                           global_tokens=global_tokens)
  batch = hf_reference.random_batch(model.config, len(lengths), seq_length,
                                    global_size, real_lengths=lengths)
  global_mask = _global_mask(batch, positions)
  expected = hf_reference.hf_outputs(model, batch, global_size,
                                     global_mask=global_mask)
  return encoder, batch, global_mask, expected


def _numpy(outputs):
  return {k: ([x.numpy() for x in v] if isinstance(v, list) else v.numpy())
          for k, v in outputs.items()}


@pytest.mark.parametrize('name,overrides,g,t,lengths,positions', CASES,
                         ids=IDS)
def test_global_attention_mask_input_matches_hf(name, overrides, g, t,
                                                lengths, positions):
  del name
  encoder, batch, global_mask, expected = _setup(overrides, g, t, lengths,
                                                 positions)
  ours = encoder(dict(batch, global_attention_mask=global_mask))
  hf_reference.assert_parity(_numpy(ours), expected)


@pytest.mark.parametrize('name,overrides,g,t,lengths,positions', CASES,
                         ids=IDS)
def test_input_mask_two_marks_global_tokens_under_xla(name, overrides, g, t,
                                                      lengths, positions):
  """The data-path convention (input_mask 2), compiled with XLA."""
  del name
  encoder, batch, global_mask, expected = _setup(
      overrides, g, t, lengths, positions, global_tokens='marked')
  marked = dict(batch, input_mask=batch['input_mask'] + global_mask)
  ours = tf.function(lambda x: encoder(x, training=False),
                     jit_compile=True)(marked)
  hf_reference.assert_parity(_numpy(ours), expected)


def test_marking_the_wrong_tokens_breaks_parity():
  """Negative control: global tokens shifted by one position move the
  outputs far beyond the parity tolerance."""
  overrides, g, t, lengths, positions = CASES[0][1:]
  encoder, batch, _, expected = _setup(overrides, g, t, lengths, positions)
  shifted = [[p + 1 for p in row if p + 1 < n] for row, n in
             zip(positions, lengths)]
  ours = encoder(dict(batch, global_attention_mask=_global_mask(batch,
                                                                shifted)))
  diff, _ = hf_reference.max_diff(ours['sequence_output'].numpy(),
                                  expected['sequence_output'])
  assert diff > 1000 * hf_reference.PARITY_ATOL


def test_gradients_under_xla_equal_eager_with_marked_tokens():
  overrides, g, t, lengths, positions = CASES[1][1:]
  encoder, batch, global_mask, _ = _setup(overrides, g, t, lengths,
                                          positions, global_tokens='marked')
  marked = dict(batch, input_mask=batch['input_mask'] + global_mask)

  def grads(x):
    with tf.GradientTape() as tape:
      loss = tf.reduce_sum(encoder(x, training=True)['sequence_output']**2)
    return tape.gradient(loss, encoder.trainable_variables)

  eager = grads(marked)
  xla = tf.function(grads, jit_compile=True)(marked)
  for variable, a, b in zip(encoder.trainable_variables, eager, xla):
    assert (a is None) == (b is None), variable.name
    if a is None:  # key_global/bias: no gradient (softmax shift invariance).
      continue
    a, b = (tf.convert_to_tensor(g).numpy() for g in (a, b))
    np.testing.assert_allclose(b, a, atol=1e-4, rtol=1e-4,
                               err_msg=variable.name)


def test_more_global_tokens_than_slots_is_an_error():
  overrides, g, t, lengths, positions = CASES[0][1:]
  encoder, batch, _, _ = _setup(overrides, g, t, lengths, positions)
  too_many = _global_mask(batch, [[0, 1, 2, 3], [], [], []])  # 4 > G = 3
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match='more global tokens than global_attention_size=3'):
    encoder(dict(batch, global_attention_mask=too_many))
  graph = tf.function(lambda x: encoder(x))
  with pytest.raises(tf.errors.InvalidArgumentError, match='global_attention'):
    graph(dict(batch, global_attention_mask=too_many))


def test_under_xla_a_row_keeps_its_first_g_global_tokens():
  """The documented XLA behaviour for rows with more than G global tokens
  (the data tools never write them): the first G are global, the rest are
  ordinary tokens, which is HF with only the first G marked."""
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  encoder = hf_reference.converted_encoder(model, 2)
  batch = hf_reference.random_batch(model.config, 2, 30, 2,
                                    real_lengths=[30, 20])
  too_many = _global_mask(batch, [[3, 10, 25], [0, 19]])
  ours = tf.function(lambda x: encoder(x, training=False), jit_compile=True)(
      dict(batch, global_attention_mask=too_many))
  expected = hf_reference.hf_outputs(
      model, batch, 2, global_mask=_global_mask(batch, [[3, 10], [0, 19]]))
  hf_reference.assert_parity(_numpy(ours), expected)


def test_global_size_above_the_length_makes_every_token_global():
  """HF with global_attention_mask[:, :G] = 1 and T < G: all tokens."""
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  encoder = hf_reference.converted_encoder(model, 12)
  batch = hf_reference.random_batch(model.config, 2, 9, 12,
                                    real_lengths=[9, 4])
  hf_reference.assert_parity(_numpy(encoder(batch)),
                             hf_reference.hf_outputs(model, batch, 12))


def test_first_mode_takes_the_first_real_tokens_as_hf():
  """global_tokens='first' after left padding and with holes in the mask:
  the first G real tokens are global, as HF with those tokens marked."""
  g, t = 2, 21
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  encoder = hf_reference.converted_encoder(model, g)
  batch = hf_reference.random_batch(model.config, 3, t, g)
  mask = np.ones((3, t), np.int32)
  mask[0, :5] = 0  # Left padding.
  mask[1, [0, 2, 3, 10]] = 0  # Holes.
  mask[2, 1] = 0  # A hole between the first two tokens.
  pad = model.config.pad_token_id
  batch = dict(batch, input_mask=mask,
               input_word_ids=np.where(mask == 1, batch['input_word_ids'],
                                       pad).astype(np.int32))
  first_real = [[5, 6], [1, 4], [0, 2]]
  expected = hf_reference.hf_outputs(model, batch, g,
                                     global_mask=_global_mask(batch,
                                                              first_real))
  hf_reference.assert_parity(_numpy(encoder(batch)), expected)
  # Negative control: the first G positions (padding or holes included).
  positions = hf_reference.hf_outputs(model, batch, g, global_mask=(
      _global_mask(batch, [[0, 1]] * 3) * mask))
  diff, _ = hf_reference.max_diff(positions['sequence_output'],
                                  expected['sequence_output'])
  assert diff > 1000 * hf_reference.PARITY_ATOL
