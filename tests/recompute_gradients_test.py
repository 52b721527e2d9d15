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

"""Negative controls for encoder_test's gradient checks, and mixed-precision
gradients compared with float32 ones.

`encoder_test.test_recomputation_gives_the_same_gradients` compares the
recomputed gradients with the plain ones element by element within 1e-4 of
the largest gradient (267 here), a bar that a value kernel 10% off barely
fails. Without XLA the same ops run, and the gradients agree to 1e-14
(recompute_attention) or 1.3e-6 (gradient_checkpointing) of a largest
gradient near 300; here they must agree within 1e-6 of the largest (about
3e-4), and the gradients of a model one value kernel of which is 2% off
(1% moved them by 1.3e-3 to 4.4e-3) must fail that bar. `encoder_test.test_mixed_precision_training_
compiles_with_xla` checks only that bfloat16/float16 gradients under XLA are
finite; here they must be close to the float32 gradients of the same
weights, and the gradients of another batch must not be.
"""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from encoder_test import _batch
from encoder_test import _tiny_encoder
from encoder_test import _training_gradients


def _flat(gradients):
  return np.concatenate([tf.convert_to_tensor(g).numpy().ravel()
                         for g in gradients if g is not None])


# Without XLA: every element within this fraction of the largest gradient.
SAME_OPS_RTOL = 1e-6


def _elementwise_bar_holds(a, b):
  diff = np.abs(b - a).max()
  print(f'max abs gradient diff {diff:.3g}, bar '
        f'{SAME_OPS_RTOL * np.abs(a).max():.3g}')
  return diff <= SAME_OPS_RTOL * np.abs(a).max()


@pytest.mark.parametrize('recompute', ['gradient_checkpointing',
                                       'recompute_attention'])
def test_recomputed_gradients_pass_the_bar_and_a_2pc_weight_change_fails(
    recompute):
  tf.random.set_seed(2)
  plain = _tiny_encoder(recompute_attention=False)
  batch = _batch()
  plain(batch)
  want = _flat(_training_gradients(plain, batch, False))
  recomputed = _tiny_encoder(**{'recompute_attention': False,
                                recompute: True})
  recomputed(batch)
  recomputed.set_weights(plain.get_weights())
  assert _elementwise_bar_holds(
      want, _flat(_training_gradients(recomputed, batch, False)))
  # Negative control: one value kernel 2% larger.
  weights = plain.get_weights()
  index = [i for i, v in enumerate(plain.weights)
           if 'value/kernel' in v.name and 'global' not in v.name][0]
  weights[index] = weights[index] * 1.02
  recomputed.set_weights(weights)
  assert not _elementwise_bar_holds(
      want, _flat(_training_gradients(recomputed, batch, False)))


# Relative L2 error of the whole gradient vector from float32's, under XLA
# with recompute_attention. Measured on this encoder (x86 CPU, two runs):
# bfloat16 0.0014 and 0.0024, float16 0.0004; the gradients of another batch
# are 0.115 to 0.144 away. 0.01 is 4x the bfloat16 measurement; the control
# must exceed 3x the bar.
GRADIENT_RTOL = {'mixed_bfloat16': 0.01, 'mixed_float16': 0.01}


def _xla_gradients(encoder, inputs):
  """Flat gradients of sum(sequence_output**2) under XLA, training=True."""
  @tf.function(jit_compile=True)
  def step(inputs):
    with tf.GradientTape() as tape:
      out = encoder(inputs, training=True)['sequence_output']
      loss = tf.reduce_sum(tf.cast(out, tf.float32) ** 2)
    return tape.gradient(loss, encoder.trainable_variables)
  return _flat(step(inputs))


@pytest.fixture(scope='module')
def float32_gradients():
  """(float32 encoder, its gradients on _batch(), on another batch)."""
  tf.random.set_seed(3)
  fp32 = _tiny_encoder(recompute_attention=True)
  fp32(_batch())
  return (fp32, _xla_gradients(fp32, _batch()),
          _xla_gradients(fp32, _batch(seed=1)))


@pytest.mark.parametrize('policy', ['mixed_bfloat16', 'mixed_float16'])
def test_mixed_precision_xla_gradients_follow_float32(float32_gradients,
                                                      policy):
  fp32, want, control = float32_gradients
  tf_keras.mixed_precision.set_global_policy(policy)
  try:
    mixed = _tiny_encoder(recompute_attention=True)
    mixed(_batch())
    mixed.set_weights(fp32.get_weights())
    got = _xla_gradients(mixed, _batch())
  finally:
    tf_keras.mixed_precision.set_global_policy('float32')
  error = np.linalg.norm(got - want) / np.linalg.norm(want)
  control_error = np.linalg.norm(control - want) / np.linalg.norm(want)
  print(f'{policy}: relative gradient error {error:.3g}, '
        f'other batch {control_error:.3g}')
  assert error <= GRADIENT_RTOL[policy]
  assert control_error > 3 * GRADIENT_RTOL[policy]
