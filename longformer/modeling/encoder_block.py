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

"""`LongformerEncoderBlock`: a BERT block around `LongformerAttention`.

A plain Keras layer that owns its sublayers: the attention (with its output
projection), two layer norms, the feed-forward input and output dense
layers and two dropouts. It computes attention, dropout, LayerNorm(x +
attention); intermediate dense + activation, output dense, dropout,
LayerNorm(attention_output + ffn), exactly as HF `LongformerLayer` (or
pre-LN with `norm_first`), which is also Model Garden's
`TransformerScaffold` math. The variable names and checkpoint keys are the
ones the block had as a `TransformerScaffold` subclass.

The feed-forward layer runs as 2-D matmuls with `bias_add` and the
activation, which graph mode fuses into oneDNN matmuls. The residual
stream, layer norms and residual sums stay float32 under mixed precision:
the block does not autocast its input, so the hidden states are not
rounded to bfloat16 between blocks. Dropout is Model Garden's
`RecomputingDropout` (plain dropout, except that under gradient
checkpointing the recomputed forward pass draws the same masks).
"""
import tensorflow as tf
import tf_keras

from official.modeling import tf_utils
from official.projects.bigbird import recomputing_dropout
from longformer.modeling import attention

# Layer arguments the block takes besides its own.
_LAYER_KWARGS = frozenset(('name', 'dtype', 'trainable'))


@tf_keras.utils.register_keras_serializable(package='Longformer')
class LongformerEncoderBlock(tf_keras.layers.Layer):
  """A transformer block with Longformer attention.

  Call it with `[hidden_states, attention_mask]`: hidden_states [B, T, D],
  attention_mask int [B, T] (0 = padding, 1 = token, 2 = global token with
  global_tokens='marked'; see `LongformerAttention`), and optionally the
  encoder's `plan`. Returns float32 [B, T, D] (the variable dtype).

  Args:
    num_attention_heads: number of heads.
    inner_dim: width of the feed-forward layer.
    inner_activation: activation of the feed-forward layer ('gelu' is the
      exact, erf-based GELU, as HF's 'gelu').
    attention_window: the full, even window of this block.
    global_attention_size: number of global token slots per row.
    global_tokens: 'first' or 'marked' (see `LongformerAttention`).
    output_dropout: dropout after the attention and feed-forward outputs.
    attention_dropout: dropout on the attention probabilities.
    recompute_attention: see `LongformerAttention`.
    norm_first: pre-LN if True, post-LN (HF Longformer) if False.
    norm_epsilon: layer norm epsilon (HF `layer_norm_eps`).
    kernel_initializer: initializer of every kernel.
    bias_initializer: initializer of every bias.
    **kwargs: `name`, `dtype`, `trainable`; anything else (regularizers,
      constraints, `feedforward_cls`, ...) is refused with a ValueError.
  """

  def __init__(self,
               num_attention_heads: int,
               inner_dim: int,
               inner_activation,
               attention_window: int,
               global_attention_size: int,
               global_tokens: str = 'first',
               output_dropout: float = 0.0,
               attention_dropout: float = 0.0,
               recompute_attention: bool = False,
               norm_first: bool = False,
               norm_epsilon: float = 1e-5,
               kernel_initializer='glorot_uniform',
               bias_initializer='zeros',
               **kwargs):
    unsupported = set(kwargs) - _LAYER_KWARGS
    if unsupported:
      raise ValueError(
          f'LongformerEncoderBlock does not take {sorted(unsupported)}: it '
          'takes its own arguments (see its docstring) and '
          f'{sorted(_LAYER_KWARGS)}. Regularizers and constraints are not '
          'supported; its feed-forward layer is the fused dense -> '
          'activation -> dense.')
    # The residual stream stays in the variable dtype (float32).
    super().__init__(autocast=False, **kwargs)
    attention.check_attention_window(attention_window)
    attention.check_global_attention_size(global_attention_size)
    attention.check_global_tokens(global_tokens)
    self._num_heads = num_attention_heads
    self._inner_dim = inner_dim
    self._inner_activation = inner_activation
    self._attention_window = int(attention_window)
    self._global_attention_size = int(global_attention_size)
    self._global_tokens = global_tokens
    self._dropout_rate = output_dropout
    self._attention_dropout_rate = attention_dropout
    self._recompute_attention = recompute_attention
    self._norm_first = norm_first
    self._norm_epsilon = norm_epsilon
    self._kernel_initializer = tf_keras.initializers.get(kernel_initializer)
    self._bias_initializer = tf_keras.initializers.get(bias_initializer)

  def build(self, input_shape):
    hidden_size = tf.TensorShape(input_shape[0])[-1]
    if hidden_size % self._num_heads:
      raise ValueError(
          f'hidden size {hidden_size} must be a multiple of '
          f'num_attention_heads={self._num_heads}.')
    init = lambda: dict(
        kernel_initializer=tf_utils.clone_initializer(
            self._kernel_initializer),
        bias_initializer=tf_utils.clone_initializer(self._bias_initializer))
    # Created in the order (and under the names) of the scaffold's build.
    self._attention_layer = attention.LongformerAttention(
        num_heads=self._num_heads,
        key_dim=hidden_size // self._num_heads,
        attention_window=self._attention_window,
        global_attention_size=self._global_attention_size,
        global_tokens=self._global_tokens,
        dropout=self._attention_dropout_rate,
        recompute_attention=self._recompute_attention,
        name='self_attention', **init())
    self._attention_dropout = recomputing_dropout.RecomputingDropout(
        rate=self._dropout_rate)
    self._attention_layer_norm = self._layer_norm('self_attention_layer_norm')
    self._intermediate_dense = tf_keras.layers.EinsumDense(
        'abc,cd->abd', output_shape=(None, self._inner_dim), bias_axes='d',
        name='intermediate', **init())
    self._output_dense = tf_keras.layers.EinsumDense(
        'abc,cd->abd', output_shape=(None, hidden_size), bias_axes='d',
        name='output', **init())
    self._output_dropout = recomputing_dropout.RecomputingDropout(
        rate=self._dropout_rate)
    self._output_layer_norm = self._layer_norm('output_layer_norm')
    # Built here: `call` reads the dense layers' weights directly.
    for layer, width in ((self._attention_layer, hidden_size),
                         (self._attention_layer_norm, hidden_size),
                         (self._intermediate_dense, hidden_size),
                         (self._output_dense, self._inner_dim),
                         (self._output_layer_norm, hidden_size)):
      with tf.name_scope(layer.name):
        layer.build(tf.TensorShape([None, None, width]))
    self._activation = tf_keras.activations.get(self._inner_activation)
    super().build(input_shape)

  def _layer_norm(self, name):
    return tf_keras.layers.LayerNormalization(
        name=name, axis=-1, epsilon=self._norm_epsilon, dtype=tf.float32)

  def call(self, inputs, plan=None, training=None,
           return_attention_scores=False):
    """The block: post-LN as HF `LongformerLayer`, or pre-LN.

    Under mixed precision the attention and feed-forward matmuls run in
    the compute dtype (the activation too, inside the fused matmul); the
    residual sums and layer norms in float32.

    Args:
      inputs: [hidden_states [B, T, D], attention_mask int [B, T]].
      plan: optional `attention_plan.AttentionPlan` of length T, the
        encoder's (then attention_mask is unused); without it the
        attention builds its own from attention_mask.
      training: enables dropout.
      return_attention_scores: also return the attention probabilities
        (see `LongformerAttention.call`).

    Returns:
      float32 [B, T, D]; with `return_attention_scores` the tuple (output,
      attentions [B, N, T, G + 2W + 1], global_attentions [B, N, T, G]).
    """
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
      raise ValueError(
          'LongformerEncoderBlock takes [hidden_states, attention_mask] '
          '(self-attention only; attention_mask int [B, T]: 0 = padding, '
          "1 = token, 2 = global token with global_tokens='marked').")
    hidden, mask = inputs
    hidden = tf.cast(hidden, self.dtype)
    probs = []  # Filled by `_attend` with `return_attention_scores`.
    attend = lambda x: self._attend(x, mask, plan, training,
                                    probs if return_attention_scores else None)
    if self._norm_first:
      output = self._pre_ln(hidden, attend, training)
    else:
      attention_output = self._attention_layer_norm(hidden + attend(hidden),
                                                    training=training)
      output = self._output_layer_norm(
          self._feed_forward(attention_output, training) + attention_output,
          training=training)
    return (output, *probs) if return_attention_scores else output

  def _pre_ln(self, hidden, attend, training):
    """Pre-LN: x + attention(LN(x)), then y + ffn(LN(y))."""
    normed = self._attention_layer_norm(hidden, training=training)
    attention_output = hidden + attend(normed)
    return attention_output + self._feed_forward(
        self._output_layer_norm(attention_output, training=training),
        training)

  def _attend(self, hidden, mask, plan, training, probs=None):
    """Attention with its output dropout: [B, T, D] -> float32 [B, T, D].

    With a `probs` list, appends the attention's two probability tensors.
    """
    output = self._attention_layer(
        query=hidden, attention_mask=mask, plan=plan, training=training,
        return_attention_scores=probs is not None)
    if probs is not None:
      output, *scores = output
      probs.extend(scores)
    output = self._attention_dropout(output, training=training)
    return tf.cast(output, self.dtype)

  def _feed_forward(self, x, training):
    """activation(x W1 + b1) W2 + b2, then dropout: x [B, T, D] -> float32
    [B, T, D].

    In the compute dtype. The matmul, bias add and activation form the
    pattern that graph mode fuses into one oneDNN matmul (~2.5x faster
    than the scaffold's einsum, add and activation at 4096 tokens).
    """
    dtype = self.compute_dtype
    x = tf.cast(x, dtype)
    intermediate, output = self._intermediate_dense, self._output_dense
    inner = self._activation(tf.nn.bias_add(
        tf.matmul(tf.reshape(x, [-1, x.shape[-1]]),
                  tf.cast(intermediate.kernel, dtype)),
        tf.cast(intermediate.bias, dtype)))  # [B*T, I]
    result = tf.nn.bias_add(tf.matmul(inner, tf.cast(output.kernel, dtype)),
                            tf.cast(output.bias, dtype))  # [B*T, D]
    result = self._output_dropout(tf.reshape(result, tf.shape(x)),
                                  training=training)
    return tf.cast(result, self.dtype)

  @property
  def attention_layer(self) -> attention.LongformerAttention:
    return self._attention_layer

  @property
  def attention_layer_norm(self) -> tf_keras.layers.LayerNormalization:
    return self._attention_layer_norm

  @property
  def intermediate_dense(self) -> tf_keras.layers.Layer:
    """Feed-forward input projection, kernel [D, I]."""
    return self._intermediate_dense

  @property
  def output_dense(self) -> tf_keras.layers.Layer:
    """Feed-forward output projection, kernel [I, D]."""
    return self._output_dense

  @property
  def output_layer_norm(self) -> tf_keras.layers.LayerNormalization:
    return self._output_layer_norm

  def get_config(self):
    return {
        'name': self.name,
        'trainable': self.trainable,
        'dtype': self.dtype_policy.name,
        'num_attention_heads': self._num_heads,
        'inner_dim': self._inner_dim,
        'inner_activation': tf_keras.activations.serialize(
            tf_keras.activations.get(self._inner_activation)),
        'attention_window': self._attention_window,
        'global_attention_size': self._global_attention_size,
        'global_tokens': self._global_tokens,
        'output_dropout': self._dropout_rate,
        'attention_dropout': self._attention_dropout_rate,
        'recompute_attention': self._recompute_attention,
        'norm_first': self._norm_first,
        'norm_epsilon': self._norm_epsilon,
        'kernel_initializer':
            tf_keras.initializers.serialize(self._kernel_initializer),
        'bias_initializer':
            tf_keras.initializers.serialize(self._bias_initializer),
    }
