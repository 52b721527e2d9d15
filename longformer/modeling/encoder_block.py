"""`LongformerEncoderBlock`: a BERT block around `LongformerAttention`.

Built on Model Garden's TransformerScaffold (its sublayers hold the
weights, so checkpoints keep the scaffold's names), with its own `call`:
attention (with its output projection), dropout, LayerNorm(x + attention);
intermediate dense + activation, output dense, dropout,
LayerNorm(attention_output + ffn), exactly as HF `LongformerLayer` computes
it (or pre-LN with `norm_first`). The feed-forward layer runs as 2-D
matmuls with `bias_add` and the activation, which graph mode fuses into
oneDNN matmuls. Layer norms and residual sums run in float32. Dropout is
Model Garden's `RecomputingDropout` (plain dropout, except that under
gradient checkpointing the recomputed forward pass draws the same masks).
"""
import tensorflow as tf
import tf_keras

from official.nlp.modeling import layers
from official.projects.bigbird import recomputing_dropout
from longformer.modeling import attention


@tf_keras.utils.register_keras_serializable(package='Longformer')
class LongformerEncoderBlock(layers.TransformerScaffold):
  """A transformer block with Longformer attention.

  Call it with `[hidden_states, attention_mask]`: hidden_states [B, T, D],
  attention_mask int [B, T] (0 = padding, 1 = token, 2 = global token with
  global_tokens='marked'; see `LongformerAttention`). Returns [B, T, D].

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
    **kwargs: other Layer arguments.
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
    attention.check_attention_window(attention_window)
    attention.check_global_attention_size(global_attention_size)
    attention.check_global_tokens(global_tokens)
    unsupported = {'feedforward_cls', 'feedforward_cfg'} & set(kwargs)
    if unsupported:
      raise ValueError(
          f'LongformerEncoderBlock does not take {sorted(unsupported)}: its '
          'feed-forward layer is the fused dense -> activation -> dense.')
    super().__init__(
        num_attention_heads=num_attention_heads,
        inner_dim=inner_dim,
        inner_activation=inner_activation,
        attention_cls=attention.LongformerAttention,
        dropout_rate=output_dropout,
        attention_dropout_rate=attention_dropout,
        norm_first=norm_first,
        norm_epsilon=norm_epsilon,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        **kwargs)
    self._attention_window = int(attention_window)
    self._global_attention_size = int(global_attention_size)
    self._global_tokens = global_tokens
    self._recompute_attention = recompute_attention

  def build(self, input_shape):
    hidden_size = tf.TensorShape(input_shape[0])[-1]
    if hidden_size % self._num_heads:
      raise ValueError(
          f'hidden size {hidden_size} must be a multiple of '
          f'num_attention_heads={self._num_heads}.')
    self._attention_cfg = {
        'num_heads': self._num_heads,
        'key_dim': hidden_size // self._num_heads,
        'attention_window': self._attention_window,
        'global_attention_size': self._global_attention_size,
        'global_tokens': self._global_tokens,
        'dropout': self._attention_dropout_rate,
        'recompute_attention': self._recompute_attention,
        'kernel_initializer': self._kernel_initializer,
        'bias_initializer': self._bias_initializer,
        'name': 'self_attention',
    }
    super().build(input_shape)
    self._attention_dropout = recomputing_dropout.RecomputingDropout(
        rate=self._dropout_rate)
    self._output_dropout = recomputing_dropout.RecomputingDropout(
        rate=self._dropout_rate)
    # Built here: `call` reads their weights instead of calling them.
    for dense, width in ((self._intermediate_dense, hidden_size),
                         (self._output_dense, self._inner_dim)):
      with tf.name_scope(dense.name):
        dense.build(tf.TensorShape([None, None, width]))
    self._activation = tf_keras.activations.get(self._inner_activation)

  def call(self, inputs, plan=None, training=None):
    """The block: post-LN as HF `LongformerLayer`, or pre-LN.

    The math of `TransformerScaffold.call`, except that under
    mixed_bfloat16 the activation runs in bfloat16 inside the fused matmul
    (the scaffold computes it in float32; its input and output are
    bfloat16 in both) and pre-LN residual sums run in float32.

    Args:
      inputs: [hidden_states [B, T, D], attention_mask int [B, T]].
      plan: optional `attention_plan.AttentionPlan` of length T, the
        encoder's (then attention_mask is unused); without it the
        attention builds its own from attention_mask.
      training: enables dropout.

    Returns:
      [B, T, D], float32 under mixed precision.
    """
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
      raise ValueError(
          'LongformerEncoderBlock takes [hidden_states, attention_mask] '
          '(self-attention only; attention_mask int [B, T]: 0 = padding, '
          "1 = token, 2 = global token with global_tokens='marked').")
    hidden, mask = inputs
    if self._norm_first:
      return self._pre_ln(hidden, mask, plan, training)
    attention_output = self._attention_layer_norm(
        hidden + self._attend(hidden, mask, plan, training),
        training=training)
    return self._output_layer_norm(
        self._feed_forward(attention_output, training) + attention_output,
        training=training)

  def _pre_ln(self, hidden, mask, plan, training):
    """Pre-LN: x + attention(LN(x)), then y + ffn(LN(y)), in float32."""
    normed = self._attention_layer_norm(hidden, training=training)
    attention_output = tf.cast(hidden, tf.float32) + tf.cast(
        self._attend(normed, mask, plan, training), tf.float32)
    return attention_output + self._feed_forward(
        self._output_layer_norm(attention_output, training=training),
        training)

  def _attend(self, hidden, mask, plan, training):
    """Attention with its output dropout: [B, T, D] -> [B, T, D]."""
    return self._attention_dropout(
        self._attention_layer(query=hidden, attention_mask=mask, plan=plan,
                              training=training), training=training)

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
    return tf.cast(result, tf.float32)

  # Public accessors for the scaffold's sublayers (checkpoint conversion
  # reads their weights). Model Garden names them privately; if an upgrade
  # renames one, this is the one place that breaks, with an AttributeError.
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
