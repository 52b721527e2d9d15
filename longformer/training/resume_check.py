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

"""Refuses to resume a model_dir whose checkpoint has another model.

orbit resumes from the latest checkpoint in `--model_dir` and by default
restores whatever matches: a 2-layer checkpoint "restores" into a 3-layer
model (layer 2 stays random) and a shape mismatch fails only after
`params.yaml` was overwritten. `check_checkpoint_matches` runs before
anything is written, in every mode that restores:
- it restores the checkpoint's `model` into a freshly built model and
  requires every variable on both sides to match, name and shape, restored
  as Model Garden's trainer saves it
  (`tf.train.Checkpoint(model=..., **model.checkpoint_items)`);
- settings that change the computation but no variable (`attention_window`,
  `global_attention_size`, `global_tokens`, dropout, ...) must equal those
  in the model_dir's `params.yaml`: every `task.model` field is compared
  except `_UNCOMPARED_FIELDS`.
In continuous_train_and_eval, whose strategy Model Garden creates after the
check, `check_params_yaml_matches` compares params.yaml alone: no model is
built and no TensorFlow op runs before the strategy exists.
"""
import os
import re
from typing import Any
from typing import Dict
from typing import List

import tensorflow as tf
import tf_keras
import yaml

from official.core import config_definitions as cfg
from official.core import task_factory

# Suffix of a variable's checkpoint key; optimizer slots carry the marker.
_VARIABLE_SUFFIX = '/.ATTRIBUTES/VARIABLE_VALUE'
_SLOT_MARKER = '/.OPTIMIZER_SLOT/'

# A variable as a failed restore prints it: "<tf.Variable 'name' shape=(2, 3)".
_VARIABLE_IN_MESSAGE = re.compile(r"<tf\.Variable '([^']+)' shape=\(([^)]*)\)")
_MAX_LISTED = 10
_MAX_MESSAGE_CHARS = 2000

# `task.model` fields (last name) that a resumed run may change: the
# initializers only shape weights the checkpoint replaces, and recomputation
# trades memory for time with the same results.
_UNCOMPARED_FIELDS = frozenset({
    'initializer_range', 'head_initializer_range', 'mlm_initializer_range',
    'recompute_attention', 'gradient_checkpointing'})


def _flatten(tree: Any, prefix: str) -> Dict[str, Any]:
  if not isinstance(tree, dict):
    return {prefix: tree}
  flat = {}
  for key, value in tree.items():
    flat.update(_flatten(value, f'{prefix}.{key}'))
  return flat


def _params_yaml_differences(params: cfg.ExperimentConfig,
                             model_dir: str) -> List[str]:
  """`task.model` fields that differ from the model_dir's params.yaml."""
  path = os.path.join(model_dir, 'params.yaml')
  if not tf.io.gfile.exists(path):
    return []
  with tf.io.gfile.GFile(path) as f:
    saved = (yaml.safe_load(f) or {}).get('task', {}).get('model', {})
  saved = _flatten(saved, 'task.model')
  new = _flatten(params.task.model.as_dict(), 'task.model')
  return [f'{key}: {saved.get(key)!r} in {path}, {new.get(key)!r} now'
          for key in sorted(set(saved) | set(new))
          if saved.get(key) != new.get(key) and
          key.rsplit('.', 1)[-1] not in _UNCOMPARED_FIELDS]


def _model_items(model: tf_keras.Model) -> Dict[str, Any]:
  """The model's checkpoint children, as Model Garden's trainer saves them."""
  return dict(getattr(model, 'checkpoint_items', {}), model=model)


def _saved_variable_count(checkpoint_path: str, roots: List[str]) -> int:
  """Variables saved under the checkpoint children `roots`, slots excluded."""
  # Checkpoint keys escape '.' as '..' and '/' as '.S' in child names.
  escaped = [r.replace('.', '..').replace('/', '.S') + '/' for r in roots]
  return sum(1 for name, _ in tf.train.list_variables(checkpoint_path)
             if name.endswith(_VARIABLE_SUFFIX) and _SLOT_MARKER not in name
             and name.startswith(tuple(escaped)))


def _unmatched_variables(message: str) -> str:
  """'name shape' of each variable a failed restore lists (no values)."""
  found = _VARIABLE_IN_MESSAGE.findall(message)
  if not found:
    return message[:_MAX_MESSAGE_CHARS]
  names = [f'{name} [{shape}]' for name, shape in found]
  return ('variables of the configured model that are not in the checkpoint '
          'include: ' + ', '.join(names[:_MAX_LISTED]) +
          (', ...' if len(names) > _MAX_LISTED else ''))


def _restore_problem(model: tf_keras.Model, checkpoint_path: str) -> str:
  """Why `checkpoint_path` does not fit `model` exactly; '' if it does."""
  items = _model_items(model)
  try:
    # The optimizer and step are not restored here: no warnings about them.
    status = tf.train.Checkpoint(**items).read(checkpoint_path)
    status.expect_partial()
  except ValueError as e:  # a shape mismatch, named by TensorFlow
    return str(e)[:_MAX_MESSAGE_CHARS]
  try:
    status.assert_existing_objects_matched()
  except AssertionError as e:
    return _unmatched_variables(str(e))
  saved = _saved_variable_count(checkpoint_path, list(items))
  if saved != len(model.variables):
    return (f'the checkpoint holds {saved} model variables, the configured '
            f'model has {len(model.variables)}')
  return ''


def check_checkpoint_matches(params: cfg.ExperimentConfig,
                             model_dir: str) -> None:
  """Raises if model_dir's latest checkpoint does not fit `params`' model.

  Builds the model on the CPU (under the current Keras policy: train.py has
  set the run's mixed precision by then; the variables are float32 either
  way), outside any strategy, restores the checkpoint's model variables
  into it and discards it. No checkpoint: no check. This runs TensorFlow
  ops: call it after the distribution strategy is created.

  Args:
    params: the experiment config of the run about to start.
    model_dir: its `--model_dir`.

  Raises:
    ValueError: naming the mismatch (and the `task.model` fields that differ
      from the saved params.yaml) and the fix.
  """
  checkpoint_path = tf.train.latest_checkpoint(model_dir)
  if checkpoint_path is None:
    return
  with tf.device('/CPU:0'):
    model = task_factory.get_task(params.task).build_model()
    problem = _restore_problem(model, checkpoint_path)
  differences = _params_yaml_differences(params, model_dir)
  if problem or differences:
    _refuse(model_dir, f'a checkpoint ({checkpoint_path}) ', problem,
            differences)


def check_params_yaml_matches(params: cfg.ExperimentConfig,
                              model_dir: str) -> None:
  """Raises if model_dir's params.yaml has other `task.model` settings.

  For continuous_train_and_eval, whose strategy Model Garden creates after
  this check: it only reads params.yaml (no model, no checkpoint, no
  TensorFlow op, so a multi-worker strategy can still be set up). That mode
  deletes model_dir's checkpoints when done but keeps params.yaml, which
  names the model of any checkpoint left there.

  Args:
    params: the experiment config of the run about to start.
    model_dir: its `--model_dir`.

  Raises:
    ValueError: naming the `task.model` fields that differ and the fix.
  """
  differences = _params_yaml_differences(params, model_dir)
  if differences:
    _refuse(model_dir, 'the params.yaml of a run ', '', differences)


def _refuse(model_dir: str, held: str, problem: str,
            differences: List[str]) -> None:
  """Raises the ValueError for a model_dir that does not fit this run."""
  if problem:
    reason = (f'of another architecture than this run\'s model, so it '
              f'cannot be resumed or evaluated: {problem}\n')
  else:
    reason = ('trained with other model settings than this run\'s, so '
              'resuming or evaluating it would silently compute something '
              'else.\n')
  raise ValueError(
      f'--model_dir={model_dir} holds {held}'
      + reason
      + ('Differences in task.model:\n  ' + '\n  '.join(differences) + '\n'
         if differences else '')
      + 'Nothing in the directory was changed. Train this model in a new '
      '--model_dir (or restore the original settings to resume; to start '
      'from the old weights use task.init_checkpoint).')
