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

"""`LongformerEncoderBlock` (fused feed-forward, float32 residuals) against
Model Garden's `TransformerScaffold` around the same attention, with the same
weights; its config, refused arguments and mixed precision.
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


def _scaffold_like(block, inputs):
  """Model Garden's TransformerScaffold with `block`'s attention and weights.

  Its weights are created in the block's order (attention, attention layer
  norm, intermediate, output, output layer norm), so set_weights matches.
  """
  config = block.get_config()
  hidden_size = inputs[0].shape[-1]
  scaffold = layers.TransformerScaffold(
      num_attention_heads=config['num_attention_heads'],
      inner_dim=config['inner_dim'],
      inner_activation=config['inner_activation'],
      attention_cls=longformer.LongformerAttention,
      attention_cfg=dict(
          num_heads=config['num_attention_heads'],
          key_dim=hidden_size // config['num_attention_heads'],
          attention_window=config['attention_window'],
          global_attention_size=config['global_attention_size'],
          global_tokens=config['global_tokens']),
      norm_first=config['norm_first'], norm_epsilon=config['norm_epsilon'])
  scaffold(inputs)
  assert [w.shape for w in scaffold.weights] == [
      w.shape for w in block.weights]
  scaffold.set_weights(block.get_weights())
  return scaffold


@pytest.mark.parametrize('norm_first', [False, True])
@pytest.mark.parametrize('activation', ['gelu', 'relu'])
def test_call_equals_the_scaffold(norm_first, activation):
  block, inputs = _block_and_inputs(norm_first, activation)
  ours = block(inputs).numpy()
  scaffold = _scaffold_like(block, inputs)(inputs).numpy()
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
    scaffold = _scaffold_like(block, inputs)(inputs).numpy()
  finally:
    tf_keras.mixed_precision.set_global_policy('float32')
  assert ours.dtype == np.float32
  np.testing.assert_allclose(ours, scaffold, atol=0.05, rtol=0)


@pytest.mark.parametrize('kwarg', [
    'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
    'kernel_constraint', 'feedforward_cfg', 'attention_cls', 'autocast'])
def test_unsupported_arguments_are_refused_by_name(kwarg):
  with pytest.raises(ValueError, match=kwarg):
    longformer.LongformerEncoderBlock(
        num_attention_heads=2, inner_dim=24, inner_activation='gelu',
        attention_window=6, global_attention_size=1, **{kwarg: None})


def test_config_round_trip_keeps_every_non_default_argument():
  arguments = dict(
      num_attention_heads=4, inner_dim=20, inner_activation='relu',
      attention_window=10, global_attention_size=3, global_tokens='marked',
      output_dropout=0.1, attention_dropout=0.2, recompute_attention=True,
      norm_first=True, norm_epsilon=1e-7,
      kernel_initializer=tf_keras.initializers.RandomNormal(stddev=0.3),
      bias_initializer='ones', name='my_block', dtype='mixed_bfloat16',
      trainable=False)
  block = longformer.LongformerEncoderBlock(**arguments)
  config = block.get_config()
  assert set(config) == set(arguments)
  rebuilt = longformer.LongformerEncoderBlock.from_config(config)
  assert rebuilt.get_config() == config
  assert config['kernel_initializer']['config']['stddev'] == 0.3
  assert config['bias_initializer']['class_name'] == 'Ones'
  for key in ('num_attention_heads', 'inner_dim', 'attention_window',
              'global_attention_size', 'global_tokens', 'output_dropout',
              'attention_dropout', 'recompute_attention', 'norm_first',
              'norm_epsilon', 'name', 'dtype', 'trainable'):
    assert config[key] == arguments[key], key
  assert config['inner_activation'] == 'relu'


def test_block_is_not_a_transformer_scaffold():
  block, _ = _block_and_inputs(False, 'gelu')
  assert not isinstance(block, layers.TransformerScaffold)
  names = [w.name.split('/', 1)[1] for w in block.weights]
  assert names[:2] == ['self_attention/key/kernel:0',
                       'self_attention/key/bias:0']
  assert names[-6:] == [
      'intermediate/kernel:0', 'intermediate/bias:0', 'output/kernel:0',
      'output/bias:0', 'output_layer_norm/gamma:0', 'output_layer_norm/beta:0']


def test_inputs_without_a_mask_are_refused():
  block, inputs = _block_and_inputs(False, 'gelu')
  with pytest.raises(ValueError, match=r'\[hidden_states, attention_mask\]'):
    block(inputs[0])
