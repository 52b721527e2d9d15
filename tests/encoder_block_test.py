"""`LongformerEncoderBlock.call` (fused feed-forward) against Model Garden's
`TransformerScaffold.call`, the computation it replaces, on the same weights.
"""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from official.nlp.modeling import layers
import longformer


def _block_and_inputs(norm_first, activation, seq_length=21):
  block = longformer.LongformerEncoderBlock(
      num_attention_heads=2, inner_dim=24, inner_activation=activation,
      attention_window=6, global_attention_size=2, norm_first=norm_first,
      norm_epsilon=1e-6,
      kernel_initializer=tf_keras.initializers.RandomNormal(stddev=0.3),
      bias_initializer=tf_keras.initializers.RandomNormal(stddev=0.3))
  rng = np.random.default_rng(0)
  hidden = tf.constant(rng.normal(size=(2, seq_length, 16)), tf.float32)
  mask = np.ones((2, seq_length), np.int32)
  mask[1, 15:] = 0
  inputs = [hidden, tf.constant(mask)]
  block(inputs)
  return block, inputs


@pytest.mark.parametrize('norm_first', [False, True])
@pytest.mark.parametrize('activation', ['gelu', 'relu'])
def test_call_equals_the_scaffold(norm_first, activation):
  block, inputs = _block_and_inputs(norm_first, activation)
  ours = block(inputs).numpy()
  scaffold = layers.TransformerScaffold.call(block, inputs).numpy()
  np.testing.assert_allclose(ours, scaffold, atol=2e-6, rtol=0)


def test_call_differs_from_the_scaffold_with_another_activation():
  """Negative control: the comparison above sees the feed-forward layer."""
  block, inputs = _block_and_inputs(False, 'gelu')
  ours = block(inputs).numpy()
  block._activation = tf_keras.activations.get('relu')  # pylint: disable=protected-access
  assert np.abs(block(inputs).numpy() - ours).max() > 1e-2


@pytest.mark.parametrize('policy', ['mixed_bfloat16', 'mixed_float16'])
def test_pre_ln_runs_under_mixed_precision(policy):
  """Pre-LN residual sums run in float32 (the scaffold's own call adds a
  float32 to a bfloat16 tensor there and fails); close to float32."""
  block32, inputs = _block_and_inputs(True, 'gelu')
  expected = block32(inputs).numpy()
  tf_keras.mixed_precision.set_global_policy(policy)
  try:
    block, _ = _block_and_inputs(True, 'gelu')
    block.set_weights(block32.get_weights())
    got = block(inputs).numpy()
  finally:
    tf_keras.mixed_precision.set_global_policy('float32')
  assert got.dtype == np.float32
  np.testing.assert_allclose(got, expected, atol=0.1, rtol=0)
  assert np.abs(got - expected).max() > 0  # It did run in low precision.


def test_feedforward_class_is_refused():
  with pytest.raises(ValueError, match='feedforward_cls'):
    longformer.LongformerEncoderBlock(
        num_attention_heads=2, inner_dim=24, inner_activation='gelu',
        attention_window=6, global_attention_size=1,
        feedforward_cls=tf_keras.layers.Dense)


def test_mixed_bfloat16_call_is_close_to_the_scaffold():
  """Under mixed_bfloat16 the fused path (activation in bfloat16 inside the
  matmul) stays within bfloat16 rounding of the scaffold (activation in
  float32)."""
  tf_keras.mixed_precision.set_global_policy('mixed_bfloat16')
  try:
    block, inputs = _block_and_inputs(False, 'gelu')
    ours = block(inputs).numpy()
    scaffold = layers.TransformerScaffold.call(
        block, [tf.cast(inputs[0], tf.bfloat16), inputs[1]]).numpy()
  finally:
    tf_keras.mixed_precision.set_global_policy('float32')
  assert ours.dtype == np.float32
  np.testing.assert_allclose(ours, scaffold, atol=0.05, rtol=0)


def test_inputs_without_a_mask_are_refused():
  block, inputs = _block_and_inputs(False, 'gelu')
  with pytest.raises(ValueError, match=r'\[hidden_states, attention_mask\]'):
    block(inputs[0])
