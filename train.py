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

r"""Trains and evaluates Longformer experiments with Model Garden's driver.

This is Model Garden's `official/nlp/train.py` with the `longformer`
registrations imported: the same flags (`--experiment --config_file
--params_override --mode --model_dir --tpu --gin_file --gin_params
--pretrain_steps --enable_async_checkpointing`), `train_lib.run_experiment`
with asynchronous checkpointing and TPU preemption recovery, and
`continuous_finetune_lib` for `--mode=continuous_train_and_eval`. A run
restarted with the same `--model_dir` resumes from its latest checkpoint and
stops at `trainer.train_steps`.

Added before anything is written to `--model_dir`:
- the input files of the mode are checked (an empty `input_path`, no match,
  no records: an error naming the config key and the fix), and so is the
  config against what the records need (`seq_length`, `global_tokens`,
  `global_attention_size`: `longformer/training/records_check.py`);
- a training job locks `--model_dir` (`longformer/training/model_dir_lock.py`),
  so a second job on the same directory refuses to start;
- a checkpoint already in `--model_dir` must fit the configured model
  exactly (`longformer/training/resume_check.py`), in every mode (train,
  eval, continuous_eval restore it; continuous_train_and_eval, which
  deletes it, compares params.yaml even without one), else the run refuses.
`run_with_checks` is all of this for a parsed config; tests call it in
process.
Metrics are built under the float32 policy (`create_task`). Known, harmless
warnings are silenced at their source: tensorflow_hub's `pkg_resources`
deprecation and the "no gradient" note for `key_global/bias` and the unused
encoder pooler (`longformer/training/known_warnings.py` says why).

Example (docs/fine_tune.md has the full MNLI recipe):

  python3 train.py --experiment=longformer/glue \
    --config_file=experiments/glue_mnli_allenai.yaml \
    --params_override="task.train_data.input_path=data/mnli_train.tf_record,\
task.validation_data.input_path=data/mnli_validation_matched.tf_record,\
task.init_checkpoint=longformer-4096/longformer" \
    --mode=train_and_eval --model_dir=/tmp/mnli

`runtime.distribution_strategy` picks `one_device`, `mirrored`,
`multi_worker_mirrored` (cluster from `TF_CONFIG`) or `tpu` (with `--tpu`);
`runtime.mixed_precision_dtype` is `bfloat16` or `float16` (the latter with
dynamic loss scaling unless `runtime.loss_scale` is a number).
"""
import functools
import json
import os
from typing import Any
from typing import Mapping
from typing import Optional
from typing import Tuple
import warnings

# tensorflow_hub, which Model Garden's tasks import, calls the deprecated
# pkg_resources API (setuptools < 81 is pinned, so it works); the
# DeprecationWarning it prints on every start is not ours to act on.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated',
                        category=UserWarning)

# pylint: disable=g-import-not-at-top
from absl import app
from absl import flags
from absl import logging
import gin
import tensorflow as tf
import tf_keras

from official.common import distribute_utils
from official.common import flags as tfm_flags
# Model Garden's own registrations, as its train.py imports them.
from official.common import registry_imports  # pylint: disable=unused-import
from official.core import base_task
from official.core import config_definitions as cfg
from official.core import task_factory
from official.core import train_lib
from official.core import train_utils
from official.modeling import performance
from official.nlp import continuous_finetune_lib
# Registers `longformer/glue`, `longformer/pretraining` and `longformer/squad`
# and binds the encoder config. Run as `python3 train.py`, this directory (the
# checkout) is first on sys.path, so no install is needed.
import longformer  # pylint: disable=unused-import
from longformer.training import input_checks
from longformer.training import known_warnings
from longformer.training import model_dir_lock
from longformer.training import records_check
from longformer.training import resume_check
# pylint: enable=g-import-not-at-top

FLAGS = flags.FLAGS

flags.DEFINE_integer(
    'pretrain_steps', default=None,
    help='The number of total training steps for the pretraining job '
    '(--mode=continuous_train_and_eval).')
flags.DEFINE_bool(
    'enable_async_checkpointing', default=True,
    help='Write checkpoints in a background thread.')


def _build_metrics_in_float32(build_metrics, training=None):
  """Calls a task's `build_metrics` under the float32 Keras policy.

  Under a mixed policy metric variables become `AutoCastVariable`s; Model
  Garden's 2-class AUC metric slices them (`true_positives[:n]`), which a
  distributed sync-on-read variable refuses (`NotImplementedError: call
  variable.read_value() inside variable_sync_on_read_context`). Metrics
  accumulate in float32 anyway.
  """
  policy = tf_keras.mixed_precision.global_policy()
  tf_keras.mixed_precision.set_global_policy('float32')
  try:
    return build_metrics(training)
  finally:
    tf_keras.mixed_precision.set_global_policy(policy)


def create_task(params: cfg.ExperimentConfig,
                model_dir: Optional[str]) -> base_task.Task:
  """The experiment's task, its metrics built under the float32 policy."""
  task = task_factory.get_task(params.task, logging_dir=model_dir)
  task.build_metrics = functools.partial(_build_metrics_in_float32,
                                         task.build_metrics)
  return task


def run(
    params: cfg.ExperimentConfig,
    model_dir: str,
    mode: str,
    strategy: Optional[tf.distribute.Strategy] = None,
    enable_async_checkpointing: bool = True,
) -> Tuple[tf_keras.Model, Mapping[str, Any]]:
  """Runs one experiment, reconnecting after a TPU preemption.

  Model Garden's `_run_experiment_with_preemption_recovery`: a TPU job whose
  workers were preempted restarts from the last checkpoint.

  Args:
    params: the parsed, validated experiment config.
    model_dir: where checkpoints and summaries go; an existing checkpoint
      there is resumed.
    mode: `train`, `eval`, `train_and_eval` or `continuous_eval`.
    strategy: a distribution strategy to use instead of the one
      `params.runtime` describes (tests pass a two-device MirroredStrategy).
    enable_async_checkpointing: write checkpoints in a background thread.

  Returns:
    The model and the last eval logs, from `train_lib.run_experiment`.
  """
  while True:
    preemption_watcher = None
    try:
      run_strategy = strategy or create_strategy(params)
      with run_strategy.scope():
        task = create_task(params, model_dir)
      if isinstance(run_strategy, tf.distribute.TPUStrategy):
        preemption_watcher = tf.distribute.experimental.PreemptionWatcher()
      return train_lib.run_experiment(
          distribution_strategy=run_strategy, task=task, mode=mode,
          params=params, model_dir=model_dir,
          enable_async_checkpointing=enable_async_checkpointing)
    except tf.errors.OpError:
      if not (preemption_watcher and preemption_watcher.preemption_message):
        raise
      preemption_watcher.block_until_worker_exit()
      logging.info('Some TPU workers had been preempted (message: %s), '
                   'restarting training from the last checkpoint...',
                   preemption_watcher.preemption_message)
      strategy = None  # reconnect


def create_strategy(params: cfg.ExperimentConfig) -> tf.distribute.Strategy:
  """The distribution strategy `params.runtime` describes."""
  return distribute_utils.get_distribution_strategy(
      distribution_strategy=params.runtime.distribution_strategy,
      all_reduce_alg=params.runtime.all_reduce_alg,
      num_gpus=params.runtime.num_gpus,
      tpu_address=params.runtime.tpu,
      **params.runtime.model_parallelism())


def _is_chief() -> bool:
  """True unless TF_CONFIG names this process a non-chief task."""
  tf_config = json.loads(os.environ.get('TF_CONFIG') or '{}')
  task, cluster = tf_config.get('task', {}), tf_config.get('cluster', {})
  task_type = task.get('type', 'chief')
  if task_type == 'worker' and 'chief' not in cluster:
    return int(task.get('index', 0)) == 0
  return task_type == 'chief'


def _check_mode(params: cfg.ExperimentConfig, mode: str) -> None:
  if (mode == 'continuous_train_and_eval' and
      params.runtime.mixed_precision_dtype and
      getattr(params.task.model, 'num_classes', None) == 2):
    raise ValueError(
        '--mode=continuous_train_and_eval builds its tasks inside Model '
        'Garden, where a 2-class task\'s AUC metric fails under '
        f'runtime.mixed_precision_dtype={params.runtime.mixed_precision_dtype}'
        '. Use --mode=train_and_eval, or float32 for this mode.')


def _train(params: cfg.ExperimentConfig, model_dir: str, mode: str,
           pretrain_steps: Optional[int],
           enable_async_checkpointing: bool) -> None:
  """Model Garden's `main` after the config is parsed and checked."""
  # bfloat16 suits TPUs, float16 GPUs; the optimizer gets loss scaling for
  # float16 in `Task.create_optimizer`.
  if params.runtime.mixed_precision_dtype:
    performance.set_mixed_precision_policy(
        params.runtime.mixed_precision_dtype)
  if mode == 'continuous_train_and_eval':
    # Model Garden deletes model_dir's checkpoints before fine-tuning each
    # pretraining checkpoint and when done, and writes its results beside
    # params.yaml: the earlier run's settings are compared, from params.yaml
    # alone. Model Garden creates the strategy after this, and a
    # multi-worker strategy refuses to start once any TensorFlow op ran
    # ('Collective ops must be configured at program startup'), so no model
    # is built or checkpoint restored here.
    resume_check.check_params_yaml_matches(params, model_dir)
    train_utils.serialize_config(params, model_dir)
    continuous_finetune_lib.run_continuous_finetune(
        mode, params, model_dir, pretrain_steps=pretrain_steps)
  else:
    # The strategy comes first: multi-worker collectives and TPUs must be
    # set up before any TensorFlow op runs (the architecture check runs ops).
    strategy = create_strategy(params)
    # Every mode here restores model_dir's latest checkpoint: training
    # resumes from it, eval modes evaluate it.
    resume_check.check_checkpoint_matches(params, model_dir)
    if 'train' in mode:
      # Eval-only jobs write no params.yaml, so a continuous eval job never
      # races the train job writing the same file.
      train_utils.serialize_config(params, model_dir)
    run(params, model_dir, mode, strategy,
        enable_async_checkpointing=enable_async_checkpointing)
  train_utils.save_gin_config(mode, model_dir)


def run_with_checks(params: cfg.ExperimentConfig,
                    model_dir: str,
                    mode: str,
                    pretrain_steps: Optional[int] = None,
                    enable_async_checkpointing: bool = True) -> None:
  """What `main` does with a parsed config: checks, lock, then the run.

  Args:
    params: the experiment config, as `train_utils.parse_configuration`
      returns it.
    model_dir: `--model_dir`.
    mode: `--mode`.
    pretrain_steps: `--pretrain_steps` (continuous_train_and_eval only).
    enable_async_checkpointing: `--enable_async_checkpointing`.

  Raises:
    ValueError: bad input files, or a model_dir holding a checkpoint this
      config's model cannot resume or evaluate; nothing was written.
    RuntimeError: another training job holds model_dir's lock.
  """
  known_warnings.install()
  _check_mode(params, mode)
  records_check.check_records_fit(
      params, input_checks.check_input_paths(params, mode))
  lock_path = None
  if 'train' in mode and _is_chief():
    lock_path = model_dir_lock.acquire(model_dir)
  try:
    _train(params, model_dir, mode, pretrain_steps,
           enable_async_checkpointing)
  finally:
    if lock_path:
      model_dir_lock.release(lock_path)


def main(_):
  gin.parse_config_files_and_bindings(FLAGS.gin_file, FLAGS.gin_params)
  params = train_utils.parse_configuration(FLAGS)
  run_with_checks(params, FLAGS.model_dir, FLAGS.mode,
                  pretrain_steps=FLAGS.pretrain_steps,
                  enable_async_checkpointing=FLAGS.enable_async_checkpointing)


if __name__ == '__main__':
  tfm_flags.define_flags()
  flags.mark_flags_as_required(['experiment', 'mode', 'model_dir'])
  app.run(main)
