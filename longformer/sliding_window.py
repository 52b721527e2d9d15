"""Pure TF functions for Longformer's sliding-window and global attention.

No Keras and no weights here: the attention layer projects queries, keys and
values, and these functions turn them into scores and contexts. Every shape
is static for a static input shape (window, block count and global size are
Python ints), so all of it compiles with XLA.

Legend (also used in einsum subscripts):
  B batch, T sequence length, N heads, H head size, W one-sided window
  (`attention_window // 2`), G global slots, C blocks of W tokens,
  K keys per query (local keys of the chosen layout).

Local band, blocked layout. The sequence is cut into C blocks of W tokens;
queries of block c attend to the keys of blocks c-1, c and c+1, 3W keys:

      keys:   | block c-1 | block c  | block c+1 |
      query q of block c sees key k (0 <= k < 3W) iff |k - W - q| <= W.

That scores 3W keys per query where 2W+1 are needed (HF's overlapping chunks
score 4W), with no skew or diagonal copies. Where the sequence is at most
`DENSE_MAX_WINDOWS` windows long, a dense [T, T] band is cheaper and is used
instead. The global tokens' keys are appended to every query's window keys,
so one softmax covers both.

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
# T keys per query against the blocked layout's 3W plus padding and copies.
DENSE_MAX_WINDOWS = 3


def static_or_dynamic_length(x: tf.Tensor) -> 'int | tf.Tensor':
  """Returns dimension 1 of `x`: a Python int when static, else a tensor."""
  length = x.shape[1]
  return length if length is not None else tf.shape(x)[1]


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


def pad_to_blocks(x: tf.Tensor, one_sided_window: int,
                  value=0) -> tf.Tensor:
  """Pads axis 1 of `x` at the end to a multiple of `one_sided_window`.

  The blocked layout needs it; padded positions must be closed keys.
  """
  pad = -static_or_dynamic_length(x) % one_sided_window
  paddings = [[0, 0], [0, pad]] + [[0, 0]] * (len(x.shape) - 2)
  return tf.pad(x, paddings, constant_values=value)


def _neighbour_blocks(x: tf.Tensor, one_sided_window: int,
                      value=0) -> tf.Tensor:
  """Each block with its neighbours: x [B, C*W, ...] -> [B, C, 3W, ...].

  Block c of the result holds blocks c-1, c and c+1 of `x`; blocks before the
  first and after the last are filled with `value`.
  """
  w = one_sided_window
  inner = x.shape[2:]
  x = tf.pad(x, [[0, 0], [w, w]] + [[0, 0]] * len(inner),
             constant_values=value)
  x = tf.reshape(x, [tf.shape(x)[0], -1, w] + inner.as_list())  # [B,C+2,W,..]
  return tf.concat([x[:, :-2], x[:, 1:-1], x[:, 2:]], axis=2)  # [B,C,3W,...]


def _append_global(keys: tf.Tensor, global_keys, axis: int) -> tf.Tensor:
  """Appends the G global entries to every group of window entries.

  keys [B, X, K, ...] (blocked, axis 2) or [B, K, ...] (dense, axis 1) and
  global_keys [B, G, ...] -> the same with K + G entries on `axis`.
  """
  if global_keys is None:
    return keys
  if axis == 2:  # One copy per block: [B, C, G, ...].
    global_keys = tf.tile(global_keys[:, tf.newaxis],
                          [1, tf.shape(keys)[1]] + [1] * (keys.shape.rank - 2))
  return tf.concat([keys, global_keys], axis=axis)


def window_scores(query: tf.Tensor, key: tf.Tensor, key_is_open: tf.Tensor,
                  one_sided_window: int, global_key=None,
                  global_is_valid=None) -> Tuple[tf.Tensor, tf.Tensor]:
  """Scores of each query against its window's keys and the global keys.

  Args:
    query: [B, T, N, H], already scaled.
    key: [B, T, N, H].
    key_is_open: bool [B, T], False for keys no query may see through the
      window (padding, global tokens).
    one_sided_window: W, each token sees W neighbours on each side.
    global_key: optional [B, G, N, H], keys of the global slots, appended
      to every query's window keys.
    global_is_valid: bool [B, G], False where a global slot is padding;
      needed with `global_key`.

  In the blocked layout T must be a multiple of W (see `pad_to_blocks`).

  Returns:
    scores: in the dtype of `query`, dense layout [B, N, T, K + G] with
      K = T, blocked layout [B, C, N, W, K + G] with K = 3W (see module
      docstring); the last G keys are the global ones. Normalize over the
      last axis; `window_context` takes the probabilities in this layout.
    bias: float32, broadcastable to scores: 0 where the key is open to the
      query, CLOSED_BIAS elsewhere.
  """
  seq_length = static_or_dynamic_length(query)
  w = one_sided_window
  dense = use_dense_band(seq_length, w)
  if dense:
    positions = tf.range(seq_length)
    in_band = tf.abs(positions[:, tf.newaxis] - positions) <= w  # [T, T]
    queries, keys, key_open = query, key, key_is_open[:, tf.newaxis]
  else:
    offset = tf.range(3 * w)[tf.newaxis, :] - w - tf.range(w)[:, tf.newaxis]
    in_band = tf.abs(offset) <= w  # [W(query), 3W(key)]
    queries = tf.reshape(
        query, [tf.shape(query)[0], -1, w] + query.shape[2:].as_list())
    keys = _neighbour_blocks(key, w)  # [B, C, 3W, N, H]
    key_open = _neighbour_blocks(key_is_open, w, False)[:, :, tf.newaxis]
  axis = 1 if dense else 2
  keys = _append_global(keys, global_key, axis)  # [B,(C,)K+G,N,H]
  is_open = tf.logical_and(in_band, key_open)  # [B, (C,) Q, K]
  if global_key is not None:
    # [B, G] -> [B, (C,) Q, G], tiled so that G stays static.
    global_open = global_is_valid[:, tf.newaxis]
    if not dense:
      global_open = tf.tile(global_open[:, tf.newaxis],
                            [1, tf.shape(is_open)[1], 1, 1])
    global_open = tf.tile(global_open,
                          [1] * (is_open.shape.rank - 2) +
                          [tf.shape(is_open)[-2], 1])
    is_open = tf.concat([is_open, global_open], axis=-1)  # [B,(C,)Q,K+G]
  if dense:
    scores = tf.einsum('BTNH,BKNH->BNTK', queries, keys)
    return scores, _closed_to_bias(is_open)[:, tf.newaxis]
  # Batch dims first in the output, as the matmul produces them: no
  # transposed copy of the largest tensor of the layer.
  scores = tf.einsum('BCQNH,BCKNH->BCNQK', queries, keys)
  return scores, _closed_to_bias(is_open)[:, :, tf.newaxis]


def window_context(probs: tf.Tensor, value: tf.Tensor,
                   one_sided_window: int, global_value=None) -> tf.Tensor:
  """Probability-weighted sum of values, the layout of `window_scores`.

  Args:
    probs: probabilities in the layout of `window_scores`' scores.
    value: [B, T, N, H].
    one_sided_window: W.
    global_value: [B, G, N, H] if `window_scores` had global keys.

  Returns:
    [B, T, N, H].
  """
  seq_length = static_or_dynamic_length(value)
  w = one_sided_window
  if use_dense_band(seq_length, w):
    values = _append_global(value, global_value, 1)  # [B, T + G, N, H]
    return tf.einsum('BNTK,BKNH->BTNH', probs, values)
  values = _append_global(_neighbour_blocks(value, w), global_value, 2)
  context = tf.einsum('BCNQK,BCKNH->BCQNH', probs, values)
  return tf.reshape(context, [tf.shape(context)[0], -1] +
                    value.shape[2:].as_list())  # [B, T, N, H]


def global_rows_context_folded(global_query: tf.Tensor, hidden: tf.Tensor,
                               key_kernel: tf.Tensor, value_kernel: tf.Tensor,
                               value_bias: tf.Tensor, key_is_real: tf.Tensor,
                               dropout_fn) -> tf.Tensor:
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
    key_is_real: bool [B, T], False for padding.
    dropout_fn: applied to the probabilities.

  Returns:
    [B, G, N, H].
  """
  folded_query = tf.einsum('BGNH,DNH->BGND', global_query, key_kernel)
  scores = tf.einsum('BGND,BTD->BNGT', folded_query, hidden)
  bias = _closed_to_bias(key_is_real)[:, tf.newaxis, tf.newaxis]
  probs = tf.nn.softmax(tf.cast(scores, tf.float32) + bias, axis=-1)
  probs = dropout_fn(tf.cast(probs, hidden.dtype))  # [B, N, G, T]
  mixed = tf.einsum('BNGT,BTD->BGND', probs, hidden)  # [B, G, N, D]
  total = tf.transpose(tf.reduce_sum(probs, axis=-1), [0, 2, 1])  # [B, G, N]
  return (tf.einsum('BGND,DNH->BGNH', mixed, value_kernel) +
          total[..., tf.newaxis] * value_bias)


def global_rows_context(global_query: tf.Tensor, key: tf.Tensor,
                        value: tf.Tensor, key_is_real: tf.Tensor,
                        dropout_fn) -> tf.Tensor:
  """Global tokens' attention over the whole sequence.

  Args:
    global_query: [B, G, N, H], global-projection queries, already scaled.
    key: [B, T, N, H], global-projection keys of every token.
    value: [B, T, N, H], global-projection values of every token.
    key_is_real: bool [B, T], False for padding.
    dropout_fn: applied to the probabilities.

  Returns:
    [B, G, N, H].
  """
  scores = tf.einsum('BGNH,BTNH->BNGT', global_query, key)
  bias = _closed_to_bias(key_is_real)[:, tf.newaxis, tf.newaxis]
  probs = tf.nn.softmax(tf.cast(scores, tf.float32) + bias, axis=-1)
  probs = dropout_fn(tf.cast(probs, value.dtype))
  return tf.einsum('BNGT,BTNH->BGNH', probs, value)
