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

"""A trained model as one function: int32 ids and mask in, logits out.

`load_model` takes either a `train.py --model_dir` (its params.yaml and
latest checkpoint, restored into the task's Keras model) or a SavedModel
written by `utils/export_saved_model.py` (its `serving_default` signature
and `assets.extra/longformer_inference.json`). Both give a `LoadedModel`
whose `predict` maps int32 `input_word_ids`, `input_mask` [B, T] (2 = global
token where the encoder reads marks) to float32 NumPy outputs:
`start_logits`, `end_logits` [B, T] for QA, `outputs` [B, num_classes] for a
classifier.
"""
import dataclasses
import json
import os
from typing import Callable, Dict, Optional

import numpy as np
import tensorflow as tf
import yaml

from official.core import config_definitions as cfg
from official.core import exp_factory
from official.core import task_factory
from official.modeling import hyperparams
import longformer  # pylint: disable=unused-import  (registers the experiments)
from longformer.serving import saved_model_export

EXPERIMENTS = ('longformer/glue', 'longformer/squad')


@dataclasses.dataclass
class LoadedModel:
  """A model ready to predict.

  Attributes:
    predict: (input_word_ids, input_mask) int32 [B, T] -> {name: float32
      array}, see the module docstring.
    config: `saved_model_export.inference_config`'s dict (kind, seq_length,
      global_tokens, global_attention_size, and the QA or classifier
      settings).
    source: what was loaded, for messages.
    params: the experiment config of a model_dir, None for a SavedModel.
  """
  predict: Callable[[np.ndarray, np.ndarray], Dict[str, np.ndarray]]
  config: Dict
  source: str
  params: Optional[cfg.ExperimentConfig] = None


def read_params(params_yaml: str,
                experiment: Optional[str] = None) -> cfg.ExperimentConfig:
  """The experiment config a train.py run wrote.

  Args:
    params_yaml: the run's params.yaml.
    experiment: one of `EXPERIMENTS`; default: `longformer/squad` if the
      task has `validation_features_path`, else `longformer/glue`.

  Raises:
    FileNotFoundError: no params.yaml.
    ValueError: the YAML does not fit the experiment.
  """
  if not tf.io.gfile.exists(params_yaml):
    raise FileNotFoundError(f'{params_yaml} not found: pass --params_yaml '
                            '(train.py writes it into --model_dir).')
  if not experiment:
    with tf.io.gfile.GFile(params_yaml) as f:
      task = (yaml.safe_load(f) or {}).get('task') or {}
    experiment = EXPERIMENTS[int('validation_features_path' in task)]
  params = exp_factory.get_exp_config(experiment)
  try:
    params = hyperparams.override_params_dict(params, params_yaml,
                                              is_strict=True)
  except (KeyError, ValueError, AttributeError) as e:
    raise ValueError(f'{params_yaml} does not fit --experiment={experiment}: '
                     f'{e}') from None
  if experiment == 'longformer/glue' and params.task.model.num_classes < 1:
    raise ValueError(f'{params_yaml}: task.model.num_classes must be set.')
  return params


def is_saved_model(path: str) -> bool:
  return tf.io.gfile.exists(os.path.join(path, 'saved_model.pb'))


def load_model(path: str) -> LoadedModel:
  """Loads a train.py model_dir or an exported SavedModel.

  Raises:
    FileNotFoundError: `path` is neither (the message says what it lacks).
  """
  if is_saved_model(path):
    return _load_saved_model(path)
  params_yaml = os.path.join(path, 'params.yaml')
  checkpoint = tf.train.latest_checkpoint(path)
  if checkpoint is None or not tf.io.gfile.exists(params_yaml):
    raise FileNotFoundError(
        f'--model={path} is neither a SavedModel (no saved_model.pb) nor a '
        'train.py model_dir (params.yaml and a checkpoint); pass one of '
        'those.')
  params = read_params(params_yaml)
  model = task_factory.get_task(params.task).build_model()
  tf.train.Checkpoint(model=model).read(
      checkpoint).expect_partial().assert_existing_objects_matched()
  seq_length = params.task.validation_data.seq_length
  config = saved_model_export.inference_config(params, seq_length)

  @tf.function(reduce_retracing=True)
  def call(ids, mask):
    return saved_model_export.keras_outputs_graph(model, ids, mask)

  def predict(ids, mask):
    return {k: v.numpy() for k, v in call(tf.constant(ids, tf.int32),
                                          tf.constant(mask, tf.int32)).items()}
  return LoadedModel(predict, config, checkpoint, params)


def _load_saved_model(path: str) -> LoadedModel:
  config_path = os.path.join(path, saved_model_export.INFERENCE_CONFIG)
  if not tf.io.gfile.exists(config_path):
    raise FileNotFoundError(
        f'{path} has no {saved_model_export.INFERENCE_CONFIG}: export it '
        'again with utils/export_saved_model.py, which writes it.')
  with tf.io.gfile.GFile(config_path) as f:
    config = json.load(f)
  serving = tf.saved_model.load(path).signatures['serving_default']

  def predict(ids, mask):
    outputs = serving(input_word_ids=tf.constant(ids, tf.int32),
                      input_mask=tf.constant(mask, tf.int32))
    return {k: v.numpy() for k, v in outputs.items()}
  return LoadedModel(predict, config, path)
