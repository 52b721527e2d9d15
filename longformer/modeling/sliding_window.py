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

"""Pure TF functions for Longformer's sliding-window and global attention.

No Keras and no weights here: the attention layer projects queries, keys and
values, and these functions turn them into scores and contexts. Every shape
is static for a static input shape (window, block count and global size are
Python ints), so all of it compiles with XLA.

Legend: B batch, T sequence length, N heads, H head size, W one-sided
window (`attention_window // 2`), G global slots, b block size, C blocks,
K local keys per query. The window functions take head-major tensors
[B, N, T, H].

Local band, blocked layout. For an even W the sequence is cut into C blocks
of b = W/2 tokens (`block_layout`; an odd W keeps blocks of W tokens and
their two neighbours, K = 3W); queries of block c attend to the keys of
blocks c-2 .. c+2, K = 5b = 2.5W keys:

      keys:   | c-2 | c-1 |  c  | c+1 | c+2 |
      query q of block c sees key k (0 <= k < 5b) iff |k - 2b - q| <= W.

That scores 2.5W keys per query where 2W+1 are needed (HF's overlapping
chunks score 4W), with no skew or diagonal copies. Where the sequence is at
most `DENSE_MAX_WINDOWS` windows long, a dense [T, T] band is cheaper and is
used instead. The global tokens' keys are appended to every query's window
keys, so one softmax covers both.

Global tokens. `global_attention_size` G is a static number of slots; which
tokens fill them is chosen per row (`global_slots`: the marked tokens in
order, at most G). `take_global` gathers the slots' entries ([B, G, ...],
empty slots masked by `GlobalSlots.is_valid`) and `put_global_rows` writes the
global rows back to their tokens, so every shape stays static.
"""
from typing import NamedTuple, Tuple

import tensorflow as tf

# Additive bias of a closed (query, key) pair. Finite, so a row whose keys are
# all closed (a padding query) gives a uniform softmax instead of NaN; that
# row is zeroed afterwards. Added to float32 scores only.
CLOSED_BIAS = -1e9

# The dense [T, T] band is used while T <= DENSE_MAX_WINDOWS * W: it scores
# T keys per query against the blocked layout's 2.5W plus padding and copies.
DENSE_MAX_WINDOWS = 3


def static_or_dynamic_length(x: tf.Tensor) -> 'int | tf.Tensor':
  """Returns dimension 1 of `x`: a Python int when static, else a tensor."""
  length = x.shape[1]
  return length if length is not None else tf.shape(x)[1]


def _head_major_length(x: tf.Tensor) -> 'int | tf.Tensor':
  """T of a head-major [B, N, T, H] tensor: a Python int when static."""
  length = x.shape[2]
  return length if length is not None else tf.shape(x)[2]


def use_dense_band(seq_length, one_sided_window: int) -> bool:
  """Whether the dense [T, T] band is the cheaper layout for this length."""
  return (isinstance(seq_length, int) and
          seq_length <= DENSE_MAX_WINDOWS * one_sided_window)


class GlobalSlots(NamedTuple):
  """Which tokens fill the G global slots of each row.

  Attributes:
    positions: int32 [B, G], the token in each slot (0 where the slot is
      empty).
    is_valid: bool [B, G], False for an empty slot.
    is_global: bool [B, T], True for the tokens that hold a slot.
    holds: bool [B, T, G], True where token t holds slot g.
  """
  positions: tf.Tensor
  is_valid: tf.Tensor
  is_global: tf.Tensor
  holds: tf.Tensor


def global_slots(is_marked: tf.Tensor, global_size: int) -> GlobalSlots:
  """Assigns the marked tokens of each row to G slots, in order.

  Static shapes: a row with fewer than G marked tokens leaves slots empty;
  a row with more keeps its first G marked tokens global and the others
  are ordinary local tokens (the encoder refuses such rows outside XLA).

  Args:
    is_marked: bool [B, T], the tokens marked global.
    global_size: G, a Python int > 0.

  Returns:
    `GlobalSlots`.
  """
  rank = tf.cumsum(tf.cast(is_marked, tf.int32), axis=1) - 1  # [B, T]
  is_global = tf.logical_and(is_marked, rank < global_size)
  slot_of_token = tf.where(is_global, rank, 0)
  # [B, T, G]: token t holds slot g.
  holds = tf.logical_and(
      is_global[:, :, tf.newaxis],
      tf.equal(slot_of_token[:, :, tf.newaxis], tf.range(global_size)))
  token_index = tf.range(static_or_dynamic_length(is_marked))
  positions = tf.reduce_sum(
      tf.where(holds, token_index[:, tf.newaxis], 0), axis=1)  # [B, G]
  return GlobalSlots(positions=positions,
                     is_valid=tf.reduce_any(holds, axis=1),
                     is_global=is_global, holds=holds)


def take_global(x: tf.Tensor, slots: GlobalSlots) -> tf.Tensor:
  """Gathers the global tokens' entries: x [B, T, ...] -> [B, G, ...]."""
  return tf.gather(x, slots.positions, batch_dims=1)


def take_global_heads(x: tf.Tensor, slots: GlobalSlots) -> tf.Tensor:
  """Gathers the global entries: x [B, N, T, H] -> [B, N, G, H]."""
  return tf.gather(x, slots.positions, axis=2, batch_dims=1)


def put_global_rows(local_rows: tf.Tensor, global_rows: tf.Tensor,
                    slots: GlobalSlots) -> tf.Tensor:
  """Overwrites each global token's row with its global-attention row.

  Args:
    local_rows: [B, T, N, H], every token's local-attention context.
    global_rows: [B, G, N, H], the global slots' global-attention context.
    slots: `GlobalSlots` of the same T and G.

  Returns:
    [B, T, N, H].
  """
  # A one-hot matmul rather than a gather: its gradient is a matmul too,
  # not a scatter-add over all T rows (slow on CPUs under XLA).
  spread = tf.einsum('BTG,BGNH->BTNH', tf.cast(slots.holds, global_rows.dtype),
                     global_rows)
  return tf.where(slots.is_global[:, :, tf.newaxis, tf.newaxis], spread,
                  local_rows)  # [B, T, N, H]


def _closed_to_bias(is_open: tf.Tensor) -> tf.Tensor:
  """bool -> float32 additive bias: 0 where open, CLOSED_BIAS where closed."""
  return tf.where(is_open, 0.0, CLOSED_BIAS)


def global_key_bias(key_is_real: tf.Tensor) -> tf.Tensor:
  """The global rows' bias: bool [B, T] -> float32 [B, 1, 1, T] (padding
  keys closed)."""
  return _closed_to_bias(key_is_real)[:, tf.newaxis, tf.newaxis]


def block_layout(one_sided_window: int) -> Tuple[int, int]:
  """The blocked layout for a one-sided window W: (block size b, s).

  Queries of a block of b tokens see the keys of the s blocks on each side
  and their own: (2s + 1) b keys. Half-window blocks (b = W/2, s = 2: 2.5W
  keys) score fewer keys than whole-window blocks (3W) and ran faster than
  both them and quarter-window blocks (2.25W, smaller matmuls); an odd W
  keeps whole-window blocks.
  """
  w = one_sided_window
  block = w // 2 if w % 2 == 0 else w
  return block, w // block


def pad_to_blocks(x: tf.Tensor, one_sided_window: int,
                  value=0) -> tf.Tensor:
  """Pads axis 1 of `x` at the end to a multiple of the block size.

  The blocked layout needs it; padded positions must be closed keys.
  """
  block, _ = block_layout(one_sided_window)
  pad = -static_or_dynamic_length(x) % block
  paddings = [[0, 0], [0, pad]] + [[0, 0]] * (len(x.shape) - 2)
  return tf.pad(x, paddings, constant_values=value)


def _neighbour_blocks(x: tf.Tensor, axis: int, block: int, sides: int,
                      value=0) -> tf.Tensor:
  """Each block with its neighbours along `axis`.

  x [..., C*b, ...] (the token axis at `axis`) -> [..., C, (2s+1)*b, ...]:
  block c of the result holds blocks c-s .. c+s of `x`; blocks outside the
  sequence are filled with `value`.
  """
  shape = x.shape.as_list()
  paddings = [[0, 0]] * len(shape)
  paddings[axis] = [sides * block, sides * block]
  x = tf.pad(x, paddings, constant_values=value)
  dims = [tf.shape(x)[i] if d is None else d for i, d in enumerate(shape)]
  x = tf.reshape(x, dims[:axis] + [-1, block] + dims[axis + 1:])
  # C, from the static length where known (the reshape above may hide it).
  blocks = (shape[axis] // block if shape[axis] is not None else
            tf.shape(x)[axis] - 2 * sides)
  size = [-1] * axis + [blocks] + [-1] * (len(shape) - axis)
  piece_shape = x.shape.as_list()
  piece_shape[axis] = blocks if isinstance(blocks, int) else None
  # tf.slice, not x[..., i:i - 2s, ...]: a slice's gradient is one pad,
  # a strided slice's (StridedSliceGrad) ran ~20x slower on CPU and took
  # 17% (float32) to 26% (bfloat16) of a training step.
  pieces = []
  for i in range(2 * sides + 1):
    piece = tf.slice(x, [0] * axis + [i] + [0] * (len(shape) - axis),
                     size if isinstance(blocks, int) else tf.stack(size))
    piece.set_shape(piece_shape)  # [..., C, b, ...]
    pieces.append(piece)
  return tf.concat(pieces, axis=axis + 1)


def window_bias(key_is_open: tf.Tensor, one_sided_window: int, dense: bool,
                global_is_valid=None) -> tf.Tensor:
  """The additive float32 bias of `window_scores`' layout.

  Args:
    key_is_open: bool [B, T], False for keys no query may see through the
      window (padding, global tokens). Blocked: T a multiple of the block.
    one_sided_window: W.
    dense: the layout (see `use_dense_band`).
    global_is_valid: optional bool [B, G], False where a global slot is
      empty; gives the G global keys' columns.

  Returns:
    float32, dense [B, 1, T, T + G], blocked [B, 1, C, b, K + G]: 0 where
    the key is open to the query, CLOSED_BIAS elsewhere.
  """
  w = one_sided_window
  if dense:
    positions = tf.range(static_or_dynamic_length(key_is_open))
    in_band = tf.abs(positions[:, tf.newaxis] - positions) <= w  # [T, T]
    key_open = key_is_open[:, tf.newaxis]  # [B, 1, T]
  else:
    block, sides = block_layout(w)
    offset = (tf.range((2 * sides + 1) * block)[tf.newaxis, :] -
              sides * block - tf.range(block)[:, tf.newaxis])
    in_band = tf.abs(offset) <= w  # [b(query), K]
    key_open = _neighbour_blocks(key_is_open, 1, block, sides,
                                 False)[:, :, tf.newaxis]  # [B, C, 1, K]
  is_open = tf.logical_and(in_band, key_open)  # [B, (C,) Q, K]
  if global_is_valid is not None:
    # [B, G] -> [B, (C,) Q, G], broadcast so that G stays static.
    global_open = global_is_valid[:, tf.newaxis]
    if not dense:
      global_open = global_open[:, tf.newaxis]
    global_open = tf.logical_and(global_open,
                                 tf.ones_like(is_open[..., :1]))
    is_open = tf.concat([is_open, global_open], axis=-1)  # [B,(C,)Q,K+G]
  return _closed_to_bias(is_open)[:, tf.newaxis]


def local_scores(query: tf.Tensor, key: tf.Tensor, one_sided_window: int,
                 dense: bool, global_key=None) -> tf.Tensor:
  """Scores of each query against its window's keys and the global keys.

  Head-major layout throughout: each head's queries and keys are
  contiguous, so every matmul below is a plain batched matmul (no
  transposed copies of the scores).

  Args:
    query: [B, N, T, H], already scaled.
    key: [B, N, T, H].
    one_sided_window: W, each token sees W neighbours on each side.
    dense: the layout; blocked needs T a multiple of the block size (see
      `pad_to_blocks`).
    global_key: optional [B, N, G, H], keys of the global slots, appended
      to every query's window keys.

  Returns:
    In the dtype of `query`, dense [B, N, T, K + G] with K = T, blocked
    [B, N, C, b, K + G] with K = (2s+1) b (see `block_layout`); the last G
    keys are the global ones. Add `window_bias` and normalize over the last
    axis; `window_context` takes the probabilities in this layout.
  """
  if dense:
    queries, keys = query, key
  else:
    block, sides = block_layout(one_sided_window)
    queries = _blocks(query, block)  # [B, N, C, b, H]
    keys = _neighbour_blocks(key, 2, block, sides)  # [B, N, C, K, H]
  keys = _append_global(keys, global_key)  # [B, N, (C,) K + G, H]
  return tf.matmul(queries, keys, transpose_b=True)


def window_scores(query: tf.Tensor, key: tf.Tensor, key_is_open: tf.Tensor,
                  one_sided_window: int, global_key=None,
                  global_is_valid=None,
                  dense=None) -> Tuple[tf.Tensor, tf.Tensor]:
  """`local_scores` and `window_bias` together.

  Args:
    query, key, one_sided_window, global_key: see `local_scores`.
    key_is_open, global_is_valid: see `window_bias` (global_is_valid is
      needed with `global_key`).
    dense: the layout; None decides it from the static length of `query`.

  Returns:
    scores, bias: see `local_scores` and `window_bias`.
  """
  if dense is None:
    dense = use_dense_band(_head_major_length(query), one_sided_window)
  scores = local_scores(query, key, one_sided_window, dense, global_key)
  bias = window_bias(key_is_open, one_sided_window, dense,
                     global_is_valid if global_key is not None else None)
  return scores, bias


def _blocks(x: tf.Tensor, block: int) -> tf.Tensor:
  """[B, N, C*b, H] -> [B, N, C, b, H]."""
  return tf.reshape(x, [tf.shape(x)[0], x.shape[1], -1, block, x.shape[3]])


def _append_global(keys: tf.Tensor, global_keys) -> tf.Tensor:
  """Appends the G global entries to every group of window entries.

  keys [B, N, C, K, H] (blocked) or [B, N, K, H] (dense) and global_keys
  [B, N, G, H] -> the same with K + G entries on the key axis.
  """
  if global_keys is None:
    return keys
  if keys.shape.rank == 5:  # One copy per block: [B, N, C, G, H].
    global_keys = tf.tile(global_keys[:, :, tf.newaxis],
                          [1, 1, tf.shape(keys)[2], 1, 1])
  return tf.concat([keys, global_keys], axis=-2)


def window_context(probs: tf.Tensor, value: tf.Tensor,
                   one_sided_window: int, global_value=None,
                   dense=None) -> tf.Tensor:
  """Probability-weighted sum of values, the layout of `window_scores`.

  Args:
    probs: probabilities in the layout of `window_scores`' scores.
    value: [B, N, T, H].
    one_sided_window: W.
    global_value: [B, N, G, H] if `window_scores` had global keys.
    dense: the layout; None decides it from the static length of `value`.

  Returns:
    [B, N, T, H].
  """
  seq_length = _head_major_length(value)
  w = one_sided_window
  if dense is None:
    dense = use_dense_band(seq_length, w)
  if dense:
    return tf.matmul(probs, _append_global(value, global_value))
  block, sides = block_layout(w)
  values = _append_global(_neighbour_blocks(value, 2, block, sides),
                          global_value)  # [B, N, C, K + G, H]
  context = tf.matmul(probs, values)  # [B, N, C, b, H]
  return tf.reshape(context, [tf.shape(value)[0], value.shape[1],
                              seq_length, value.shape[3]])  # [B, N, T, H]


def global_rows_context_folded(global_query: tf.Tensor, hidden: tf.Tensor,
                               key_kernel: tf.Tensor, value_kernel: tf.Tensor,
                               value_bias: tf.Tensor, key_bias: tf.Tensor,
                               dropout_fn, return_probs: bool = False):
  """`global_rows_context` without projecting every token's global K and V.

  The global keys and values are linear in the hidden states, so the
  projections fold into the few global queries instead:
    scores[t] = q . (Wk h[t] + bk) = (Wk^T q) . h[t] + q . bk
    context   = sum_t p[t] (Wv h[t] + bv) = Wv (sum_t p[t] h[t]) + bv sum_t p[t]
  q . bk is the same for every key of a query, so the softmax cancels it.
  This costs O(G N T D) instead of O(T D^2): far less while G * N < D.

  Args:
    global_query: [B, G, N, H], global-projection queries, already scaled.
    hidden: [B, T, D], the layer input.
    key_kernel: [D, N, H], the global key projection kernel.
    value_kernel: [D, N, H], the global value projection kernel.
    value_bias: [N, H], the global value projection bias.
    key_bias: float32 [B, 1, 1, T], `global_key_bias` of the padding.
    dropout_fn: applied to the probabilities.
    return_probs: also return the probabilities.

  Returns:
    [B, G, N, H]; with `return_probs` also the probabilities (after
    dropout) [B, N, G, T].
  """
  folded_query = tf.einsum('BGNH,DNH->BGND', global_query, key_kernel)
  scores = tf.einsum('BGND,BTD->BNGT', folded_query, hidden)
  probs = tf.nn.softmax(tf.cast(scores, tf.float32) + key_bias, axis=-1)
  probs = dropout_fn(tf.cast(probs, hidden.dtype))  # [B, N, G, T]
  mixed = tf.einsum('BNGT,BTD->BGND', probs, hidden)  # [B, G, N, D]
  total = tf.transpose(tf.reduce_sum(probs, axis=-1), [0, 2, 1])  # [B, G, N]
  context = (tf.einsum('BGND,DNH->BGNH', mixed, value_kernel) +
             total[..., tf.newaxis] * value_bias)
  return (context, probs) if return_probs else context


def global_rows_context(global_query: tf.Tensor, key: tf.Tensor,
                        value: tf.Tensor, key_bias: tf.Tensor,
                        dropout_fn, return_probs: bool = False):
  """Global tokens' attention over the whole sequence.

  Args:
    global_query: [B, G, N, H], global-projection queries, already scaled.
    key: [B, T, N, H], global-projection keys of every token.
    value: [B, T, N, H], global-projection values of every token.
    key_bias: float32 [B, 1, 1, T], `global_key_bias` of the padding.
    dropout_fn: applied to the probabilities.
    return_probs: also return the probabilities.

  Returns:
    [B, G, N, H]; with `return_probs` also the probabilities (after
    dropout) [B, N, G, T].
  """
  scores = tf.einsum('BGNH,BTNH->BNGT', global_query, key)
  probs = tf.nn.softmax(tf.cast(scores, tf.float32) + key_bias, axis=-1)
  probs = dropout_fn(tf.cast(probs, value.dtype))
  context = tf.einsum('BNGT,BTNH->BGNH', probs, value)
  return (context, probs) if return_probs else context


def window_probs_as_hf(probs: tf.Tensor, one_sided_window: int, dense: bool,
                       global_size: int) -> tf.Tensor:
  """Local probabilities in HF's `attentions` layout.

  Args:
    probs: probabilities in the layout of `local_scores` (dense
      [B, N, T, T + G], blocked [B, N, C, b, K + G]), the last G columns
      the global keys'.
    one_sided_window: W.
    dense: the layout.
    global_size: G, the number of global columns of `probs` (0 for none).

  Returns:
    [B, N, T, G + 2W + 1]: the G global keys first, then the window, column
    j the key t - W + j (0 where that key is outside the sequence), as HF
    `LongformerModel(output_attentions=True).attentions`. Rows are not
    zeroed here (padding and global rows are the caller's).
  """
  w = one_sided_window
  width = 2 * w + 1
  keys = probs.shape[-1] - global_size
  local, global_probs = probs[..., :keys], probs[..., keys:]
  offsets = tf.range(width)
  if dense:  # Column j of query t: key t - W + j, if inside [0, T).
    index = tf.range(keys)[:, tf.newaxis] + offsets - w  # [T, 2W + 1]
    inside = tf.logical_and(index >= 0, index < keys)
    index = tf.clip_by_value(index, 0, keys - 1)
  else:  # Query q of a block sees key q + s*b - W + j of its K (s*b = W).
    block, sides = block_layout(w)
    index = tf.range(block)[:, tf.newaxis] + offsets + (sides * block - w)
    inside = None
  index = tf.broadcast_to(index, tf.concat(
      [tf.shape(local)[:-1], [width]], axis=0))
  rank = len(local.shape)
  window = tf.gather(local, index, axis=rank - 1, batch_dims=rank - 1)
  if inside is not None:
    window = tf.where(inside, window, tf.zeros_like(window))
  else:  # [B, N, C, b, 2W + 1] -> [B, N, C*b, 2W + 1]; outside keys are
    # closed in `window_bias`, so their probabilities are already 0.
    window = tf.reshape(window, [tf.shape(local)[0], local.shape[1], -1,
                                 width])
    global_probs = tf.reshape(global_probs, [tf.shape(local)[0],
                                             local.shape[1], -1,
                                             global_size])
  return tf.concat([global_probs, window], axis=-1)
