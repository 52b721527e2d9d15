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

"""Mixed precision training follows float32 training step by step.

`mixed_precision_test.test_trains_without_nan` checks that a bfloat16 or
float16 run stays finite; here the same task, weights and batches are
trained under float32 and under each policy (`task.train_step`, Model
Garden's loss-scaled optimizer for float16), and the losses must agree step
by step within a bound. The negative control: the float32 losses of a run
whose updates were lost (as when a loss scale skips every step) are
farther from the float32 run than the bound.
"""
import numpy as np
import pytest
import tf_keras

from official.core import exp_factory
from official.core import task_factory
from official.modeling import performance
import longformer  # pylint: disable=unused-import
import tiny_experiment

_STEPS = 4
# Large enough that 4 AdamW steps move the loss of the tiny classifier by
# far more than the rounding of bfloat16.
_LEARNING_RATE = 3e-3
# Classification loss (about 0.7 nats) per step. Measured on this task over
# three runs with random weights and batches (x86 CPU): max |mixed - float32|
# over the 4 steps up to 1.7e-4 for bfloat16 and 2.6e-5 for float16; the
# lost-updates control is off by 0.020 to 0.030. 1e-3 is ~6x the bfloat16
# measurement and a twentieth of the control's gap; the control must exceed
# 3x the bar.
LOSS_ATOL = 1e-3


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
  """(params, batches, initial weights, float32 losses, lost-update losses):
  every run starts from these weights and trains on these batches."""
  paths = tiny_experiment.write_records(str(tmp_path_factory.mktemp('mp')))
  overrides = tiny_experiment.glue_overrides(*paths, train_steps=_STEPS)
  encoder = overrides['task']['model']['encoder']['any']
  encoder.update(dropout_rate=0.0, attention_dropout_rate=0.0)
  overrides['trainer']['optimizer_config']['learning_rate'] = {
      'polynomial': {'initial_learning_rate': _LEARNING_RATE,
                     'decay_steps': 1000}}
  params = exp_factory.get_exp_config('longformer/glue')
  params.override(overrides, is_strict=True)
  task = task_factory.get_task(params.task)
  dataset = iter(task.build_inputs(params.task.train_data))
  batches = [next(dataset) for _ in range(_STEPS)]
  weights = task.build_model().get_weights()
  want = np.array(_losses(params, batches, weights, 'float32'))
  lost = np.array(_losses(params, batches, weights, 'float32',
                          learning_rate=0.0))
  return params, batches, weights, want, lost


def _losses(params, batches, weights, dtype, learning_rate=None):
  """Loss at each of `len(batches)` train steps from `weights`."""
  performance.set_mixed_precision_policy(dtype)
  try:
    task = task_factory.get_task(params.task)
    model = task.build_model()
    model.set_weights(weights)
    for layer in model.submodules:  # The classifier head's dropout: off.
      if isinstance(layer, tf_keras.layers.Dropout):
        layer.rate = 0.0
    runtime = params.runtime.replace(mixed_precision_dtype=dtype)
    optimizer = task.create_optimizer(params.trainer.optimizer_config,
                                      runtime)
    if learning_rate is not None:
      optimizer.learning_rate = learning_rate
    return [float(task.train_step(batch, model, optimizer)[task.loss])
            for batch in batches]
  finally:
    tf_keras.mixed_precision.set_global_policy('float32')


@pytest.mark.parametrize('dtype', ['bfloat16', 'float16'])
def test_mixed_precision_losses_follow_float32(setup, dtype):
  params, batches, weights, want, lost = setup
  got = np.array(_losses(params, batches, weights, dtype))
  print(f'float32 {want}, {dtype} {got}, no updates {lost}')
  assert np.abs(got - want).max() <= LOSS_ATOL, (want, got)
  # The control: updates lost would fail the bar, so the bar sees updates.
  assert np.abs(lost - want).max() > 3 * LOSS_ATOL, (want, lost)
