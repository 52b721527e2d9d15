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

"""`LongformerAttention`: sliding-window self-attention with global tokens.

The layer owns the weights: local query/key/value projections for the
window, separate global query/key/value projections for the global tokens'
own rows (as in HF `LongformerSelfAttention`), and the output projection
(HF `LongformerSelfOutput.dense`). The math lives in `sliding_window`.

Shapes: B batch, T sequence length, D hidden size, N heads, H head size,
W one-sided window, G global tokens, K local keys per query.
"""
import math
import numbers

import tensorflow as tf
import tf_keras

from official.modeling import tf_utils
from official.projects.bigbird import recomputing_dropout
from longformer.modeling import attention_plan
from longformer.modeling import recompute
from longformer.modeling import sliding_window

_PROJECTIONS = ('query', 'key', 'value',
                'query_global', 'key_global', 'value_global')


def check_attention_window(window, name: str = 'attention_window') -> None:
  """Raises ValueError unless `window` is a positive even integer.

  Python and NumPy integers are accepted (YAML and NumPy configs give
  both); bools and floats are not.
  """
  if isinstance(window, bool) or not isinstance(window, numbers.Integral) or (
      window <= 0 or window % 2):
    raise ValueError(
        f'{name}={window!r} must be a positive even integer: the full '
        'window, each token sees attention_window // 2 neighbours on each '
        'side. Use e.g. 512.')


# The `global_tokens` modes: which tokens fill the global slots.
GLOBAL_TOKENS_MODES = ('first', 'marked')
# Mask value of a global token with global_tokens='marked' (0 = padding,
# 1 = token), the original Longformer convention for `input_mask`.
GLOBAL_TOKEN = attention_plan.GLOBAL_TOKEN


def check_global_tokens(global_tokens) -> None:
  """Raises ValueError unless `global_tokens` is 'first' or 'marked'."""
  if global_tokens not in GLOBAL_TOKENS_MODES:
    raise ValueError(
        f'global_tokens={global_tokens!r} must be one of '
        f"{GLOBAL_TOKENS_MODES}: 'first' makes the first "
        "global_attention_size tokens global; 'marked' the tokens whose mask "
        'value is 2.')


def check_global_attention_size(global_attention_size) -> None:
  """Raises ValueError unless `global_attention_size` is an int >= 0."""
  if isinstance(global_attention_size, bool) or not isinstance(
      global_attention_size, numbers.Integral) or global_attention_size < 0:
    raise ValueError(
        f'global_attention_size={global_attention_size!r} must be an '
        'integer >= 0 (the number of global token slots per sequence).')


def _static_or_minus_one(x: tf.Tensor) -> int:
  """Dimension 1 of `x` if static, else -1 (for a reshape)."""
  return x.shape[1] if x.shape[1] is not None else -1


def _checked_token_mask(attention_mask) -> tf.Tensor:
  """int32 [B, T] of a token mask, asserted to hold only 0, 1 and 2.

  An additive mask (0 / -10000) or a fractional one would otherwise read as
  all padding and give zero outputs. The assertion compiles to nothing under
  XLA, as the encoder's input checks do.
  """
  mask = tf.convert_to_tensor(attention_mask)
  values = tf.cast(mask, tf.float32)[..., tf.newaxis]
  is_allowed = tf.reduce_any(tf.equal(values, [0.0, 1.0, 2.0]), axis=-1)
  check = tf.debugging.Assert(tf.reduce_all(is_allowed), [
      'LongformerAttention attention_mask values must be 0 (padding), 1 '
      "(token) or 2 (global token with global_tokens='marked'); an additive "
      'mask (0 / -10000) is not supported.'])
  with tf.control_dependencies([check]):
    return tf.cast(mask, tf.int32)


@tf_keras.utils.register_keras_serializable(package='Longformer')
class LongformerAttention(tf_keras.layers.Layer):
  """Longformer self-attention: a sliding window plus leading global tokens.

  A local token attends to the tokens within `attention_window // 2` of it
  and to every global token; global tokens attend to every token through
  their own global projections. Padding keys are never attended; padding
  queries get a zero context. Softmax runs in float32 under mixed precision.

  Call it with `attention_mask` int [B, T]: 0 = padding, 1 = token, and with
  `global_tokens='marked'` 2 = global token. At most `global_attention_size`
  tokens per row are global (a static number of slots): with 'first' the
  first G real tokens; with 'marked' the first G tokens marked 2, any further
  marked token is an ordinary token (`LongformerEncoder` refuses such rows
  outside XLA).

  Args:
    num_heads: N.
    key_dim: H, the size of each head.
    attention_window: the full, even window (HF's `attention_window`).
    global_attention_size: G, the number of global token slots per row.
    global_tokens: 'first' or 'marked', which tokens fill the slots (above).
    dropout: dropout rate on the attention probabilities.
    recompute_attention: in training, recompute the window scores and
      probabilities in the backward pass instead of keeping them: the
      [N, T, 2.5W + G] probabilities (3W + G for an odd W) are the largest
      activations of a
      layer (at 4096 tokens, window 512: 1.5 GiB in float32 over 12
      layers), for one more scores matmul and softmax. Off by default.
    kernel_initializer: initializer of the projection kernels.
    bias_initializer: initializer of the projection biases.
    **kwargs: other Layer arguments (name, dtype, regularizers are not
      supported).
  """

  def __init__(self,
               num_heads: int,
               key_dim: int,
               attention_window: int,
               global_attention_size: int,
               global_tokens: str = 'first',
               dropout: float = 0.0,
               recompute_attention: bool = False,
               kernel_initializer='glorot_uniform',
               bias_initializer='zeros',
               **kwargs):
    super().__init__(**kwargs)
    check_attention_window(attention_window)
    check_global_attention_size(global_attention_size)
    attention_window = int(attention_window)
    self._num_heads = num_heads
    self._key_dim = key_dim
    self._attention_window = attention_window
    self._one_sided_window = attention_window // 2
    check_global_tokens(global_tokens)
    self._global_attention_size = int(global_attention_size)
    self._global_tokens = global_tokens
    self._dropout_rate = dropout
    self._recompute_attention = recompute_attention
    self._kernel_initializer = tf_keras.initializers.get(kernel_initializer)
    self._bias_initializer = tf_keras.initializers.get(bias_initializer)

  def build(self, input_shape):
    hidden_size = tf.TensorShape(input_shape)[-1]
    if hidden_size != self._num_heads * self._key_dim:
      raise ValueError(
          f'LongformerAttention input width {hidden_size} must equal '
          f'num_heads * key_dim = {self._num_heads} * {self._key_dim}.')
    self._projections = {
        name: self._einsum_dense('BTD,DNH->BTNH', [None, self._num_heads,
                                                   self._key_dim], 'NH', name)
        for name in _PROJECTIONS
    }
    # Built here, not on first use: with global_attention_size=0 the global
    # projections are unused but still hold checkpoint weights.
    for name, dense in self._projections.items():
      with tf.name_scope(name):
        dense.build(tf.TensorShape([None, None, hidden_size]))
    self._output_dense = self._einsum_dense('BTNH,NHD->BTD',
                                            [None, hidden_size], 'D',
                                            'attention_output')
    with tf.name_scope('attention_output'):
      self._output_dense.build(
          tf.TensorShape([None, None, self._num_heads, self._key_dim]))
    # Plain dropout outside a recompute context; inside one (gradient
    # checkpointing) it redraws the same mask in the backward pass.
    self._dropout_layer = recomputing_dropout.RecomputingDropout(
        rate=self._dropout_rate)
    super().build(input_shape)

  def _einsum_dense(self, equation, output_shape, bias_axes, name):
    return tf_keras.layers.EinsumDense(
        equation.lower(),
        output_shape=output_shape,
        bias_axes=bias_axes.lower(),
        kernel_initializer=tf_utils.clone_initializer(
            self._kernel_initializer),
        bias_initializer=tf_utils.clone_initializer(self._bias_initializer),
        name=name)

  def call(self, query, value=None, attention_mask=None, plan=None,
           training=None, return_attention_scores=False):
    """Attends `query` to itself.

    Args:
      query: [B, T, D] hidden states.
      value: ignored; accepted because `TransformerScaffold` passes it. Keys
        and values are projected from `query` (self-attention), which also
        makes pre-LN (`norm_first`) blocks normalize keys and values.
      attention_mask: int [B, T] token mask, 0 = padding, 1 = token, 2 =
        global token with global_tokens='marked' (not an additive or
        [T, T] mask). Unused with `plan`.
      plan: optional `attention_plan.AttentionPlan` of length T (the
        encoder's, built once for every layer; it must hold this layer's
        window and global_attention_size slots). Without it the layer
        builds its own from `attention_mask`.
      training: enables dropout.
      return_attention_scores: also return the attention probabilities in
        HF's layouts (see `attention_probs`). It costs their memory and
        bypasses `recompute_attention`; off, the graph is unchanged.

    Returns:
      [B, T, D]; with `return_attention_scores` the tuple (output,
      attentions [B, N, T, G + 2W + 1], global_attentions [B, N, T, G]).
    """
    del value  # Self-attention: see the docstring.
    seq_length = sliding_window.static_or_dynamic_length(query)
    hidden, own_plan = query, plan is None
    if own_plan:
      hidden, plan = self._own_plan(query, attention_mask)
    window = plan.windows[self._one_sided_window]
    dropout = lambda probs: self._dropout_layer(probs, training=training)
    local = self._local_rows(hidden, plan, window, dropout,
                             recompute_probs=self._recompute_attention and
                             bool(training),
                             return_probs=return_attention_scores)
    context, local_probs = (local if return_attention_scores else
                            (local, None))
    global_probs = None
    if plan.slots is not None:
      context = self._overwrite_global_rows(context, hidden, plan, dropout,
                                            return_attention_scores)
      if return_attention_scores:
        context, global_probs = context
    output = self._project_output(context)  # [B, T', D]
    cut = (lambda x: x[:, :seq_length]) if own_plan else (lambda x: x)
    if not return_attention_scores:
      return cut(output)
    attentions, global_attentions = self.attention_probs(
        local_probs, global_probs, plan, window)
    cut_rows = ((lambda x: x[:, :, :seq_length]) if own_plan else
                (lambda x: x))
    return cut(output), cut_rows(attentions), cut_rows(global_attentions)

  def attention_probs(self, local_probs, global_probs, plan, window):
    """The probabilities in HF's `attentions` and `global_attentions` layouts.

    Args:
      local_probs: the window probabilities, `local_scores`' layout.
      global_probs: [B, N, G, T] the global rows' probabilities, or None
        without global slots.
      plan: the `AttentionPlan`.
      window: this layer's `WindowPlan`.

    Returns:
      attentions: float32 [B, N, T, G + 2W + 1], the G global keys' columns
        (slot order = position order), then column j the key t - W + j; rows
        of padding and global tokens are 0 (HF's convention: the global
        rows are in `global_attentions`).
      global_attentions: float32 [B, N, T, G], [b, n, t, g] the probability
        that global token g attends key t (G = 0 without slots); 0 in the
        columns of empty slots.
    """
    g = self._global_attention_size if plan.slots is not None else 0
    attentions = tf.cast(sliding_window.window_probs_as_hf(
        local_probs, self._one_sided_window, window.dense, g), tf.float32)
    keep = plan.is_real
    if plan.slots is not None:
      keep = tf.logical_and(keep, tf.logical_not(plan.slots.is_global))
    attentions *= tf.cast(keep, tf.float32)[:, tf.newaxis, :, tf.newaxis]
    if global_probs is None:
      global_attentions = tf.zeros(
          tf.concat([tf.shape(attentions)[:3], [0]], axis=0), tf.float32)
    else:
      global_attentions = tf.transpose(tf.cast(global_probs, tf.float32),
                                       [0, 1, 3, 2])
      # An empty slot has no query: 0 (HF's filler there is 1 / T).
      global_attentions *= tf.cast(plan.slots.is_valid, tf.float32)[
          :, tf.newaxis, tf.newaxis]
    return attentions, global_attentions

  def _own_plan(self, query, attention_mask):
    """Pads `query` and builds the plan of this layer alone."""
    if attention_mask is None:
      raise ValueError(
          'LongformerAttention needs attention_mask, the [B, T] token mask '
          '(0 = padding, 1 = token, 2 = global token with '
          "global_tokens='marked'), or the encoder's plan.")
    shape = tf.TensorShape(getattr(attention_mask, 'shape', None))
    if shape.rank is not None and shape.rank != 2:
      raise ValueError(
          f'LongformerAttention attention_mask has shape {shape}; it must be '
          'the [B, T] token mask (0 = padding, 1 = token, 2 = global token '
          "with global_tokens='marked'), not a [B, T, T] or additive mask "
          "such as Model Garden's SelfAttentionMask gives.")
    windows = [self._one_sided_window]
    length = attention_plan.padded_length(
        sliding_window.static_or_dynamic_length(query), windows)
    mask = _checked_token_mask(attention_mask)
    mask = attention_plan.pad_to(mask, length)
    plan = attention_plan.build(mask, windows, self._global_attention_size,
                                self._global_tokens)
    return attention_plan.pad_to(query, length), plan

  def _scaled(self, query):
    return query / tf.cast(math.sqrt(self._key_dim), query.dtype)

  def _local_projections(self, hidden):
    """Scaled queries, keys and values of the window, head-major.

    One [B*T, D] @ [D, 3D] matmul with its bias (the three kernels side by
    side, the query's pre-scaled) instead of three einsums: the bias add
    fuses into the matmul and the head-major transpose is one copy.

    Args:
      hidden: [B, T, D].

    Returns:
      query, key, value: [B, N, T, H] each.
    """
    scale = 1.0 / math.sqrt(self._key_dim)
    kernels, biases = [], []
    for name, factor in (('query', scale), ('key', 1.0), ('value', 1.0)):
      dense = self._projections[name]
      kernels.append(tf.cast(dense.kernel, hidden.dtype) * factor)
      biases.append(tf.cast(dense.bias, hidden.dtype) * factor)
    width = hidden.shape[-1]
    kernel = tf.reshape(tf.concat(kernels, axis=1), [width, 3 * width])
    bias = tf.reshape(tf.concat(biases, axis=0), [3 * width])
    projected = tf.nn.bias_add(
        tf.matmul(tf.reshape(hidden, [-1, width]), kernel), bias)
    projected = tf.reshape(
        projected, [tf.shape(hidden)[0], _static_or_minus_one(hidden),
                    3 * self._num_heads, self._key_dim])  # [B, T, 3N, H]
    return tf.split(tf.transpose(projected, [0, 2, 1, 3]), 3, axis=1)

  def _project_output(self, context):
    """Output projection: context [B, T, N, H] -> [B, T, D]."""
    width = self._num_heads * self._key_dim
    kernel = tf.cast(self._output_dense.kernel, context.dtype)
    bias = tf.cast(self._output_dense.bias, context.dtype)
    output = tf.nn.bias_add(
        tf.matmul(tf.reshape(context, [-1, width]),
                  tf.reshape(kernel, [width, -1])), bias)
    return tf.reshape(output, [tf.shape(context)[0],
                               _static_or_minus_one(context),
                               output.shape[-1]])  # [B, T, D]

  def _local_rows(self, hidden, plan, window, dropout, recompute_probs,
                  return_probs=False):
    """Every token's context from its window and the global tokens.

    Args:
      hidden: [B, T, D].
      plan: `AttentionPlan`.
      window: this layer's `WindowPlan`.
      dropout: applied to the probabilities.
      recompute_probs: recompute the probabilities in the backward pass
        (not with `return_probs`).
      return_probs: also return the probabilities (after dropout), in
        `local_scores`' layout.

    Returns:
      [B, T, N, H]; with `return_probs` the tuple (context, probs).
    """
    query, key, value = self._local_projections(hidden)  # [B, N, T, H]
    w = self._one_sided_window
    if plan.slots is None:
      global_of = lambda x: None
    else:
      global_of = lambda x: sliding_window.take_global_heads(x, plan.slots)

    def attend(query, key, value):
      scores = sliding_window.local_scores(query, key, w, window.dense,
                                           global_key=global_of(key))
      probs = tf.nn.softmax(tf.cast(scores, tf.float32) + window.bias,
                            axis=-1)
      probs = dropout(tf.cast(probs, value.dtype))
      context = sliding_window.window_context(
          probs, value, w, global_value=global_of(value), dense=window.dense)
      return (context, probs) if return_probs else context

    if recompute_probs and not return_probs:  # Dropout masks are redrawn
      attend = recompute.recompute_in_backward(attend)  # identically.
    context = attend(query, key, value)
    if return_probs:
      context, probs = context
    context = tf.transpose(context, [0, 2, 1, 3])
    # Padding queries get a zero context (HF zeroes their probabilities).
    context *= tf.cast(plan.is_real, context.dtype)[:, :, tf.newaxis,
                                                    tf.newaxis]
    return (context, probs) if return_probs else context

  def _overwrite_global_rows(self, context, hidden, plan, dropout,
                             return_probs=False):
    """Replaces the global tokens' rows by their attention over everything.

    With `return_probs` returns (context, probabilities [B, N, G, T]).
    """
    g = self._global_attention_size
    slots = plan.slots
    global_query = self._scaled(self._projections['query_global'](
        sliding_window.take_global(hidden, slots)))
    key_global = self._projections['key_global']
    value_global = self._projections['value_global']
    if g * self._num_heads < hidden.shape[-1]:  # See the folded docstring.
      cast = lambda w: tf.cast(w, hidden.dtype)
      global_context = sliding_window.global_rows_context_folded(
          global_query, hidden, cast(key_global.kernel),
          cast(value_global.kernel), cast(value_global.bias),
          plan.global_key_bias, dropout, return_probs=return_probs)
    else:
      global_context = sliding_window.global_rows_context(
          global_query, key_global(hidden), value_global(hidden),
          plan.global_key_bias, dropout, return_probs=return_probs)
    if return_probs:
      global_context, probs = global_context
    context = sliding_window.put_global_rows(context, global_context, slots)
    return (context, probs) if return_probs else context

  @property
  def projections(self):
    """The six input projections, by HF name: `query`, `key`, `value` (the
    window) and `query_global`, `key_global`, `value_global`; each an
    `EinsumDense` with kernel [D, N, H] and bias [N, H]."""
    return dict(self._projections)

  @property
  def output_dense(self):
    """The output projection, kernel [N, H, D] and bias [D]."""
    return self._output_dense

  def get_config(self):
    config = {
        'num_heads': self._num_heads,
        'key_dim': self._key_dim,
        'attention_window': self._attention_window,
        'global_attention_size': self._global_attention_size,
        'global_tokens': self._global_tokens,
        'dropout': self._dropout_rate,
        'recompute_attention': self._recompute_attention,
        'kernel_initializer':
            tf_keras.initializers.serialize(self._kernel_initializer),
        'bias_initializer':
            tf_keras.initializers.serialize(self._bias_initializer),
    }
    return dict(super().get_config(), **config)
