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

"""`LongformerAttention` and `sliding_window` against a dense NumPy reference.

The reference builds the [T, T] attention pattern from positions alone:
local query i sees key j iff |i - j| <= W or j is global, j is real, through
the local projections; global query i sees every real key through the global
projections; padding queries get a zero context.
"""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from longformer.modeling import attention
from longformer.modeling import sliding_window

# The layer computes in float32, the reference in float64; with the peaked
# weights below outputs reach ~10, where float32 rounding is ~1e-6.
REFERENCE_ATOL = 1e-5


def _softmax(x):
  x = x - x.max(-1, keepdims=True)
  e = np.exp(x)
  return e / e.sum(-1, keepdims=True)


def dense_reference(layer, hidden, input_mask, window, global_size,
                    is_global=None):
  """NumPy [B, T, D] output of `layer` computed with a dense [T, T] mask.

  is_global: bool [B, T], the global tokens; default the first
  `global_size` real tokens.
  """
  w = {v.name.split('/')[-2] + '/' + v.name.split('/')[-1].split(':')[0]:
       v.numpy().astype(np.float64) for v in layer.weights}
  hidden = hidden.astype(np.float64)
  proj = lambda name, x: np.einsum('btd,dnh->btnh', x, w[name + '/kernel']) + (
      w[name + '/bias'])
  heads, head_size = w['query/bias'].shape
  t = hidden.shape[1]
  pos = np.arange(t)
  is_real = input_mask.astype(bool)
  if is_global is None:
    is_global = (pos < global_size)[None] & is_real  # [B, T]
  local_open = (np.abs(pos[:, None] - pos[None]) <= window // 2)[None] | (
      is_global[:, None, :])  # [B, T(query), T(key)]
  local_open &= is_real[:, None, :]
  global_open = np.broadcast_to(is_real[:, None, :], local_open.shape)

  def attend(q_name, k_name, v_name, is_open):
    q = proj(q_name, hidden) / np.sqrt(head_size)
    scores = np.einsum('bqnh,bknh->bnqk', q, proj(k_name, hidden))
    scores = np.where(is_open[:, None], scores, -np.inf)
    return np.einsum('bnqk,bknh->bqnh', _softmax(scores), proj(v_name, hidden))

  context = attend('query', 'key', 'value', local_open)
  if is_global.any():
    context_global = attend('query_global', 'key_global', 'value_global',
                            global_open)
    context = np.where(is_global[:, :, None, None], context_global, context)
  # Padding queries (all keys closed: NaN rows here) get a zero context.
  context = np.where(is_real[:, :, None, None], context, 0.0)
  return np.einsum('btnh,nhd->btd', context,
                   w['attention_output/kernel']) + w['attention_output/bias']


CASES = [  # (window, global_size, seq_length, real lengths)
    (4, 1, 23, [23, 9]),  # blocked, length not a multiple of W
    (4, 0, 24, [24, 3]),  # blocked, no global tokens
    (6, 3, 31, [31, 2]),  # several global tokens, a row shorter than them
    (8, 2, 12, [12, 7]),  # dense band (T <= 3W)
    (40, 1, 17, [17, 17]),  # window larger than the sequence
    (2, 1, 9, [9, 5]),  # W = 1
    (4, 8, 29, [29, 20]),  # G * N >= D: global K/V projected, not folded
]


@pytest.mark.parametrize('window,global_size,seq_length,lengths', CASES)
def test_attention_matches_dense_reference(window, global_size, seq_length,
                                           lengths):
  rng = np.random.default_rng(0)
  hidden = rng.normal(size=(len(lengths), seq_length, 16)).astype(np.float32)
  mask = (np.arange(seq_length)[None] < np.array(lengths)[:, None]).astype(
      np.int32)
  tf_keras.utils.set_random_seed(0)  # Reproducible random weights.
  layer = attention.LongformerAttention(
      num_heads=2, key_dim=8, attention_window=window,
      global_attention_size=global_size,
      # Peaked attention, so a wrongly opened or closed key shows.
      kernel_initializer=tf_keras.initializers.RandomNormal(stddev=0.5),
      bias_initializer=tf_keras.initializers.RandomNormal(stddev=0.5))
  ours = layer(query=hidden, attention_mask=mask).numpy()
  expected = dense_reference(layer, hidden, mask, window, global_size)
  diff = np.abs(ours - expected)
  assert diff.max() <= REFERENCE_ATOL, (
      f'max abs diff {diff.max():.3g} at '
      f'{np.unravel_index(diff.argmax(), diff.shape)}')


# (window, G, T, real lengths, global positions per row): tokens marked 2.
MARKED_CASES = [
    # Start, middle and end; a row with none; blocked layout.
    (4, 3, 23, [23, 17, 20], [[0, 11, 22], [], [19]]),
    # Next to padding, and adjacent globals inside each other's windows.
    (6, 3, 31, [31, 9], [[14, 15, 16], [7, 8]]),
    # Dense band layout; fewer marks than slots.
    (8, 4, 12, [12, 7], [[5], [0, 6]]),
    # G * N >= D: the global K/V projected, not folded.
    (4, 8, 29, [29, 20], [[1, 3, 5, 7, 9, 11, 13, 28], [19]]),
]


def _marked_mask(seq_length, lengths, global_positions):
  """int32 [B, T] mask: 0 padding, 1 token, 2 at the global positions."""
  mask = (np.arange(seq_length)[None] < np.array(lengths)[:, None]).astype(
      np.int32)
  for row, positions in enumerate(global_positions):
    mask[row, positions] = 2
  return mask


def _peaked_layer(window, global_size, **kwargs):
  tf_keras.utils.set_random_seed(0)  # Reproducible random weights.
  return attention.LongformerAttention(
      num_heads=2, key_dim=8, attention_window=window,
      global_attention_size=global_size,
      kernel_initializer=tf_keras.initializers.RandomNormal(stddev=0.5),
      bias_initializer=tf_keras.initializers.RandomNormal(stddev=0.5),
      **kwargs)


@pytest.mark.parametrize('window,global_size,seq_length,lengths,positions',
                         MARKED_CASES)
def test_marked_global_tokens_match_dense_reference(
    window, global_size, seq_length, lengths, positions):
  rng = np.random.default_rng(2)
  hidden = rng.normal(size=(len(lengths), seq_length, 16)).astype(np.float32)
  mask = _marked_mask(seq_length, lengths, positions)
  layer = _peaked_layer(window, global_size, global_tokens='marked')
  ours = layer(query=hidden, attention_mask=mask).numpy()
  expected = dense_reference(layer, hidden, mask > 0, window, global_size,
                             is_global=mask == 2)
  diff = np.abs(ours - expected)
  assert diff.max() <= REFERENCE_ATOL, (
      f'max abs diff {diff.max():.3g} at '
      f'{np.unravel_index(diff.argmax(), diff.shape)}')
  # Negative control: the same marks read as "first G" differ far beyond
  # the tolerance, so the test can see where the global tokens are.
  first_g = dense_reference(layer, hidden, mask > 0, window, global_size)
  assert np.abs(ours - first_g).max() > 100 * REFERENCE_ATOL


def test_marks_beyond_the_slots_are_ordinary_tokens():
  """The layer keeps a row's first G marked tokens global (the XLA
  behaviour the encoder documents; outside XLA the encoder refuses)."""
  rng = np.random.default_rng(3)
  hidden = rng.normal(size=(1, 20, 16)).astype(np.float32)
  mask = _marked_mask(20, [20], [[2, 9, 15]])
  layer = _peaked_layer(4, 2, global_tokens='marked')
  ours = layer(query=hidden, attention_mask=mask).numpy()
  kept = np.zeros((1, 20), bool)
  kept[0, [2, 9]] = True
  expected = dense_reference(layer, hidden, mask > 0, 4, 2, is_global=kept)
  np.testing.assert_allclose(ours, expected, atol=REFERENCE_ATOL, rtol=0)


def test_global_slots_order_and_validity():
  slots = sliding_window.global_slots(
      tf.constant([[False, True, False, True, True],
                   [False, False, False, False, False]]), 2)
  np.testing.assert_array_equal(slots.positions.numpy(), [[1, 3], [0, 0]])
  np.testing.assert_array_equal(slots.is_valid.numpy(),
                                [[True, True], [False, False]])
  np.testing.assert_array_equal(
      slots.is_global.numpy(),
      [[False, True, False, True, False], [False] * 5])


def test_blocked_and_dense_layouts_agree(monkeypatch):
  """The two window layouts are interchangeable at the same length."""
  rng = np.random.default_rng(1)
  query, key, value = (tf.constant(rng.normal(size=(2, 2, 12, 4)),
                                   tf.float32) for _ in range(3))  # [B,N,T,H]
  key_is_open = tf.constant(rng.random((2, 12)) > 0.2)
  global_key, global_value = key[:, :, :2], value[:, :, :2]
  global_is_valid = tf.constant([[True, True], [True, False]])
  w = 4  # T = 3W: dense unless DENSE_MAX_WINDOWS is lowered.

  def attend():
    scores, bias = sliding_window.window_scores(
        query, key, key_is_open, w, global_key=global_key,
        global_is_valid=global_is_valid)
    probs = tf.nn.softmax(scores + bias)
    return scores.shape, sliding_window.window_context(
        probs, value, w, global_value=global_value).numpy()

  dense_shape, dense = attend()
  monkeypatch.setattr(sliding_window, 'DENSE_MAX_WINDOWS', 0)
  blocked_shape, blocked = attend()
  assert dense_shape == (2, 2, 12, 12 + 2)
  # [B, N, C, b, K+G] with b = W/2 and K = 5b.
  assert blocked_shape == (2, 2, 12 // (w // 2), w // 2, 5 * (w // 2) + 2)
  np.testing.assert_allclose(blocked, dense, atol=REFERENCE_ATOL, rtol=0)


def test_numpy_integer_window_is_accepted():
  layer = attention.LongformerAttention(
      num_heads=2, key_dim=4, attention_window=np.int64(4),
      global_attention_size=np.int32(1))
  assert layer.get_config()['attention_window'] == 4
  assert type(layer.get_config()['attention_window']) is int


def test_bad_global_tokens_mode_is_rejected():
  with pytest.raises(ValueError, match="global_tokens='last'"):
    attention.LongformerAttention(num_heads=2, key_dim=4, attention_window=4,
                                  global_attention_size=1,
                                  global_tokens='last')


@pytest.mark.parametrize('window', [0, 3, -2, 2.0, True])
def test_bad_window_is_rejected(window):
  with pytest.raises(ValueError, match='attention_window'):
    attention.LongformerAttention(num_heads=2, key_dim=4,
                                  attention_window=window,
                                  global_attention_size=1)


def test_negative_global_size_is_rejected():
  with pytest.raises(ValueError, match='global_attention_size'):
    attention.LongformerAttention(num_heads=2, key_dim=4, attention_window=4,
                                  global_attention_size=-1)


def test_a_three_dimensional_mask_is_refused_naming_the_shape():
  layer = attention.LongformerAttention(num_heads=2, key_dim=4,
                                        attention_window=4,
                                        global_attention_size=1)
  with pytest.raises(ValueError, match=r'shape \(2, 10, 10\).*\[B, T\]'):
    layer(tf.zeros([2, 10, 8]), attention_mask=tf.ones([2, 10, 10]))


def test_an_additive_mask_is_refused_not_read_as_padding():
  layer = attention.LongformerAttention(num_heads=2, key_dim=4,
                                        attention_window=4,
                                        global_attention_size=1)
  additive = tf.constant([[0.0] * 8 + [-10000.0] * 2] * 2)  # 0 = token
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match='additive mask'):
    layer(tf.zeros([2, 10, 8]), attention_mask=additive)
  bool_mask = tf.constant([[True] * 8 + [False] * 2] * 2)
  layer(tf.zeros([2, 10, 8]), attention_mask=bool_mask)  # HF accepts bool
