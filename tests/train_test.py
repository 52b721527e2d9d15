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

"""Tests for train.py: runs, resumes, refuses, and scales out.

Most tests call train.py in this process (`train.run_with_checks`, what its
`main` does after parsing the flags) on the tiny demo records of
`tiny_experiment`, starting from the session's shared 2-step train_and_eval
run (`trained_glue_run` in conftest.py; tests that resume or refuse work on
a copy). Real train.py processes remain only where a process is the point:
a mixed-precision train_and_eval from the command line, a second job
refused while the first runs and a SIGKILLed job resumed,
MirroredStrategy on two logical CPUs (set before TensorFlow starts) and
MultiWorkerMirroredStrategy with two local workers.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any
from typing import Dict
from typing import List
from unittest import mock

import numpy as np
import pytest
import tensorflow as tf
import tf_keras
import yaml

import tiny_experiment

from longformer.training import resume_check

_TRAIN_PY = os.path.join(tiny_experiment.REPO_DIR, 'train.py')
# A whole train.py run of the tiny model takes about 15 s on 2 cores; this
# bounds a hung run (e.g. a worker waiting for a peer that died).
_RUN_TIMEOUT_S = 180
# orbit's Controller.train logs this line once when it starts.
_START_LINE = re.compile(r'train \| step: +(\d+) \| training until step (\d+)')
# The eval metrics of the shared run against the same metrics computed here
# from the restored checkpoint's predictions: float32 on the same CPU, the
# same 16 examples; only the order of summation may differ.
_METRIC_ATOL = 1e-5


def _env(**extra: str) -> Dict[str, str]:
  env = dict(os.environ)
  env['PYTHONPATH'] = os.pathsep.join(
      [tiny_experiment.REPO_DIR, env.get('PYTHONPATH', '')])
  env['CUDA_VISIBLE_DEVICES'] = ''
  env.update(extra)
  return env


def _train_command(model_dir: str, overrides: Dict[str, Any],
                   mode: str = 'train') -> List[str]:
  return [
      sys.executable, _TRAIN_PY, '--experiment=longformer/glue',
      f'--params_override={json.dumps(overrides)}', f'--mode={mode}',
      f'--model_dir={model_dir}'
  ]


def _start_step(output: str) -> int:
  """The global step a train.py run started from, read from its output."""
  match = _START_LINE.search(output)
  if match is None:
    raise AssertionError(f'no "training until" line in:\n{output[-3000:]}')
  return int(match.group(1))


def _free_port() -> int:
  with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def _run_train_py(model_dir, overrides, mode='train', **env):
  """Runs train.py as a process; returns (exit status, stdout, stderr)."""
  result = subprocess.run(
      _train_command(model_dir, overrides, mode), env=_env(**env),
      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
      timeout=_RUN_TIMEOUT_S, check=False)
  return result.returncode, result.stdout, result.stderr


def _copy(overrides):
  return json.loads(json.dumps(overrides))


def _last_scalar(event_dir, tag):
  values = [float(tf.make_ndarray(v.tensor))
            for path in sorted(tf.io.gfile.glob(event_dir + '/events.*'))
            for event in tf.compat.v1.train.summary_iterator(path)
            for v in event.summary.value if v.tag == tag]
  if not values:
    raise AssertionError(f'no {tag} summary in {event_dir}')
  return values[-1]


def _read_glue_records(path):
  """The records' model inputs and labels, as numpy arrays."""
  length = tiny_experiment.SEQ_LENGTH
  spec = {name: tf.io.FixedLenFeature([length], tf.int64)
          for name in ('input_ids', 'input_mask', 'segment_ids')}
  spec['label_ids'] = tf.io.FixedLenFeature([], tf.int64)
  rows = [tf.io.parse_single_example(r, spec)
          for r in tf.data.TFRecordDataset(path)]
  batch = {k: np.stack([r[k].numpy() for r in rows]) for k in spec}
  inputs = {'input_word_ids': batch['input_ids'],
            'input_mask': batch['input_mask'],
            'input_type_ids': batch['segment_ids']}
  return inputs, batch['label_ids']


def _probabilities_of_checkpoint(overrides, checkpoint_path, inputs):
  """P(class 1) of the checkpoint's classifier, float32 [examples]."""
  import train  # pylint: disable=g-import-not-at-top
  params = tiny_experiment.parse_params(overrides)
  model = train.create_task(params, None).build_model()
  status = tf.train.Checkpoint(model=model).read(checkpoint_path)
  status.expect_partial().assert_existing_objects_matched()
  logits = model(inputs, training=False)
  return tf.nn.softmax(logits)[:, 1].numpy()


def _pr_auc(labels, probabilities):
  metric = tf_keras.metrics.AUC(curve='PR')
  metric.update_state(labels, probabilities)
  return float(metric.result())


class TrainPyTest(tf.test.TestCase):

  @pytest.fixture(autouse=True)
  def _shared_run(self, trained_glue_run):
    self._shared = trained_glue_run

  def setUp(self):
    super().setUp()
    self._tmp = self.get_temp_dir()
    self._model_dir = os.path.join(self._tmp, 'model')

  def tearDown(self):
    tf_keras.mixed_precision.set_global_policy('float32')
    super().tearDown()

  def _copy_shared_model_dir(self):
    """This test's model_dir becomes a copy of the shared 2-step run's."""
    shutil.copytree(self._shared.model_dir, self._model_dir)
    return _copy(self._shared.overrides)

  def _run_logged(self, overrides, mode='train'):
    """Runs train.py in process; returns what it logged (absl, INFO+)."""
    with self.assertLogs('absl', 'INFO') as logs:
      tiny_experiment.run_train(self._model_dir, overrides, mode)
    return '\n'.join(logs.output)

  def _latest_step(self, model_dir=None):
    path = tf.train.latest_checkpoint(model_dir or self._model_dir)
    return None if path is None else int(path.rsplit('-', 1)[1])

  def _model_dir_files(self):
    files = {}
    for root, _, names in os.walk(self._model_dir):
      for name in names:
        with open(os.path.join(root, name), 'rb') as f:
          files[os.path.join(root, name)] = f.read()
    return files

  def test_shared_run_saves_params_checkpoint_and_true_eval_metrics(self):
    """The logged eval metrics are those of the checkpoint's predictions."""
    model_dir = self._shared.model_dir
    with open(os.path.join(model_dir, 'params.yaml')) as f:
      saved = yaml.safe_load(f)
    self.assertEqual(saved['trainer']['train_steps'], 2)
    self.assertEqual(saved['task']['model']['encoder']['any']['hidden_size'],
                     tiny_experiment.ENCODER['hidden_size'])
    self.assertEqual(self._latest_step(model_dir), 2)

    inputs, labels = _read_glue_records(self._shared.eval_path)
    self.assertEqual(labels.shape, (2 * tiny_experiment.BATCH_SIZE,))
    probabilities = _probabilities_of_checkpoint(
        self._shared.overrides, tf.train.latest_checkpoint(model_dir), inputs)
    validation = os.path.join(model_dir, 'validation')
    auc = _last_scalar(validation, 'auc')
    accuracy = _last_scalar(validation, 'cls_accuracy')
    self.assertAllClose(auc, _pr_auc(labels, probabilities),
                        atol=_METRIC_ATOL, rtol=0)
    self.assertAllClose(
        accuracy, np.mean((probabilities > 0.5) == (labels == 1)),
        atol=_METRIC_ATOL, rtol=0)
    # Negative control: the same predictions against other labels.
    self.assertNotAllClose(auc, _pr_auc(1 - labels, probabilities),
                           atol=100 * _METRIC_ATOL, rtol=0)

  def test_resume_to_four_then_eval_modes(self):
    overrides = self._copy_shared_model_dir()
    overrides['trainer']['train_steps'] = 4
    output = self._run_logged(overrides)
    self.assertEqual(_start_step(output), 2)
    self.assertEqual(self._latest_step(), 4)

    # Both eval modes evaluate the latest checkpoint; continuous_eval then
    # waits continuous_eval_timeout seconds for a newer one and, as step 4
    # is train_steps, stops.
    overrides['trainer']['continuous_eval_timeout'] = 1
    for mode in ('eval', 'continuous_eval'):
      output = self._run_logged(overrides, mode=mode)
      self.assertRegex(output, r'eval \| step: +4 \| running', msg=mode)

  def _continuous_overrides(self, overrides):
    """continuous_train_and_eval reading pretraining checkpoints from an
    empty folder: with no checkpoint to fine-tune, Model Garden stops after
    trainer.continuous_eval_timeout."""
    changed = _copy(overrides)
    changed['task']['init_checkpoint'] = os.path.join(self._tmp, 'pretrain')
    os.makedirs(changed['task']['init_checkpoint'], exist_ok=True)
    changed['trainer']['continuous_eval_timeout'] = 1
    return changed

  def test_another_architecture_is_refused_in_every_mode(self):
    """Training would resume it, eval modes evaluate it, continuous
    fine-tuning would delete it: all refuse (continuous fine-tuning from
    params.yaml alone)."""
    overrides = self._copy_shared_model_dir()
    before = self._model_dir_files()
    encoder = overrides['task']['model']['encoder']['any']
    changes = [
        ('num_layers', 3, r'variables of the configured model that are not '
         r'in the checkpoint include: .*layer_2'),
        ('num_layers', 1, r'the checkpoint holds \d+ model variables, the '
         r'configured model has \d+'),
        ('intermediate_size', 48, r'shape'),
    ]
    for mode in ('train', 'eval', 'continuous_eval',
                 'continuous_train_and_eval'):
      for field, value, reason in changes:
        changed = self._continuous_overrides(overrides)
        changed['task']['model']['encoder']['any'][field] = value
        changed['trainer']['train_steps'] = 3
        changed['trainer']['continuous_eval_timeout'] = 1
        msg = f'{mode}: {field}={value}'
        if mode == 'continuous_train_and_eval':
          expected = ('holds the params.yaml of a run trained with other '
                      'model settings')
        else:
          expected = 'of another architecture'
        with self.assertRaisesRegex(ValueError, expected,
                                    msg=msg) as raised:
          tiny_experiment.run_train(self._model_dir, changed, mode)
        error = str(raised.exception)
        if mode != 'continuous_train_and_eval':
          self.assertRegex(error, reason, msg=msg)
        self.assertIn(f'task.model.encoder.any.{field}: {encoder[field]} in ',
                      error, msg=msg)
        self.assertIn('new --model_dir', error, msg=msg)
        self.assertEqual(self._model_dir_files(), before, msg=msg)

  def test_continuous_fine_tuning_check_runs_no_tensorflow_op(self):
    """Model Garden creates a multi-worker strategy after the check, which
    fails once an op ran: with a checkpoint in model_dir, the check must
    still neither look for it nor build or restore a model."""
    overrides = self._copy_shared_model_dir()
    changed = self._continuous_overrides(overrides)
    changed['task']['model']['encoder']['any']['num_layers'] = 3
    before = self._model_dir_files()
    forbidden = AssertionError('continuous_train_and_eval check ran TF')
    with mock.patch.object(tf.train, 'latest_checkpoint',
                           side_effect=forbidden), \
         mock.patch.object(tf.train, 'Checkpoint', side_effect=forbidden), \
         mock.patch.object(tf.train, 'list_variables',
                           side_effect=forbidden), \
         mock.patch.object(resume_check.task_factory, 'get_task',
                           side_effect=forbidden), \
         mock.patch.object(tf, 'device', side_effect=forbidden):
      with self.assertRaisesRegex(
          ValueError, r'(?s)holds the params.yaml of a run trained with '
          r'other model settings.*num_layers: 2 in '):
        tiny_experiment.run_train(self._model_dir, changed,
                                  'continuous_train_and_eval')
    self.assertEqual(self._model_dir_files(), before)

  def test_continuous_fine_tuning_compares_settings_without_checkpoint(self):
    """Model Garden's continuous_train_and_eval deletes model_dir's
    checkpoints when done; its params.yaml still names the model."""
    overrides = self._continuous_overrides(self._copy_shared_model_dir())
    for name in os.listdir(self._model_dir):
      if name.startswith(('ckpt-', 'checkpoint')):
        os.remove(os.path.join(self._model_dir, name))
    before = self._model_dir_files()
    changed = _copy(overrides)
    changed['task']['model']['encoder']['any']['num_layers'] = 3
    with self.assertRaisesRegex(
        ValueError, '(?s)holds the params.yaml of a run trained with other '
        r'model settings.*task.model.encoder.any.num_layers: 2 in '):
      tiny_experiment.run_train(self._model_dir, changed,
                                'continuous_train_and_eval')
    self.assertEqual(self._model_dir_files(), before)
    # The same settings pass (nothing to fine-tune: it stops at once).
    tiny_experiment.run_train(self._model_dir, overrides,
                              'continuous_train_and_eval')

  def test_other_attention_settings_are_refused_params_yaml_kept(self):
    """Same variables, other computation: refused, naming both values."""
    overrides = self._copy_shared_model_dir()
    before = self._model_dir_files()
    changes = [('train', 'attention_window', [16], '[8]', '[16]'),
               ('train', 'global_attention_size', 2, '1', '2'),
               ('train', 'global_tokens', 'marked', "'first'", "'marked'"),
               ('eval', 'attention_window', [4], '[8]', '[4]')]
    for mode, field, value, saved, new in changes:
      changed = _copy(overrides)
      changed['task']['model']['encoder']['any'][field] = value
      changed['trainer']['train_steps'] = 3
      msg = f'{mode}: {field}={value}'
      with self.assertRaisesRegex(ValueError, 'trained with other model '
                                  'settings', msg=msg) as raised:
        tiny_experiment.run_train(self._model_dir, changed, mode)
      self.assertIn(
          f'task.model.encoder.any.{field}: {saved} in '
          f'{os.path.join(self._model_dir, "params.yaml")}, {new} now',
          str(raised.exception), msg=msg)
      self.assertEqual(self._model_dir_files(), before, msg=msg)

  def test_resume_may_change_what_does_not_change_the_computation(self):
    overrides = self._copy_shared_model_dir()
    overrides['task']['model']['encoder']['any']['initializer_range'] = 0.5
    overrides['task']['model']['encoder']['any']['recompute_attention'] = True
    overrides['trainer']['train_steps'] = 3
    tiny_experiment.run_train(self._model_dir, overrides)
    self.assertEqual(self._latest_step(), 3)

  def test_empty_input_path_names_the_key(self):
    overrides = _copy(self._shared.overrides)
    overrides['task']['validation_data']['input_path'] = ''
    with self.assertRaisesRegex(
        ValueError, r'task.validation_data.input_path is empty.*'
        r'--params_override=task.validation_data.input_path='):
      tiny_experiment.run_train(self._model_dir, overrides, 'train_and_eval')
    self.assertFalse(os.path.exists(self._model_dir))

  def test_records_of_another_length_are_refused_before_training(self):
    """Not `Can't parse serialized Example` from inside the input pipeline."""
    overrides = _copy(self._shared.overrides)
    overrides['task']['train_data']['seq_length'] = 32
    overrides['task']['validation_data']['seq_length'] = 32
    with self.assertRaisesRegex(
        ValueError, r'task.train_data.seq_length=32, but .*64-token records.*'
        r'task.train_data.seq_length=64'):
      tiny_experiment.run_train(self._model_dir, overrides, 'train_and_eval')
    self.assertFalse(os.path.exists(self._model_dir))

  def test_empty_tfrecord_names_the_file(self):
    empty = os.path.join(self._tmp, 'empty.tf_record')
    with tf.io.TFRecordWriter(empty):
      pass
    overrides = _copy(self._shared.overrides)
    overrides['task']['train_data']['input_path'] = empty
    with self.assertRaisesRegex(
        ValueError,
        re.escape(f'task.train_data.input_path: {empty} hold(s) no record')):
      tiny_experiment.run_train(self._model_dir, overrides)
    self.assertFalse(os.path.exists(self._model_dir))


class TrainPyProcessTest(tf.test.TestCase):
  """What needs a real train.py process."""

  def setUp(self):
    super().setUp()
    self._tmp = self.get_temp_dir()
    self._paths = tiny_experiment.write_records(self._tmp)
    self._model_dir = os.path.join(self._tmp, 'model')

  def _latest_step(self):
    path = tf.train.latest_checkpoint(self._model_dir)
    return None if path is None else int(path.rsplit('-', 1)[1])

  def test_float16_two_classes_trains_and_evaluates(self):
    """From the command line, mixed precision, 2 classes (an AUC metric)."""
    overrides = tiny_experiment.glue_overrides(*self._paths, train_steps=2)
    overrides['runtime'] = {'mixed_precision_dtype': 'float16'}
    status, stdout, stderr = _run_train_py(self._model_dir, overrides,
                                           mode='train_and_eval')
    output = stdout + stderr
    self.assertEqual(status, 0, output[-5000:])
    with open(os.path.join(self._model_dir, 'params.yaml')) as f:
      saved = yaml.safe_load(f)
    self.assertEqual(saved['runtime']['mixed_precision_dtype'], 'float16')
    self.assertEqual(self._latest_step(), 2)
    auc = _last_scalar(os.path.join(self._model_dir, 'validation'), 'auc')
    self.assertBetween(auc, 0.0, 1.0)
    self.assertRegex(output, r'eval \| step: +2 \| steps/sec')
    # Known-harmless warnings are silenced at their source (issue 16, 15).
    self.assertNotIn('pkg_resources is deprecated', stderr)
    self.assertNotIn('Gradients do not exist', stderr)
    self.assertNotIn('tf_record_iterator', stderr)

  def test_second_job_refused_then_killed_job_resumes(self):
    """A live job's lock refuses a second job; a dead job's lock does not."""
    overrides = tiny_experiment.glue_overrides(*self._paths, 1000)
    overrides['trainer']['checkpoint_interval'] = 5
    overrides['trainer']['summary_interval'] = 1000
    lock = os.path.join(self._model_dir, 'train.lock')
    proc = subprocess.Popen(
        _train_command(self._model_dir, overrides), env=_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
      deadline = time.time() + _RUN_TIMEOUT_S
      while (self._latest_step() or 0) < 5 and proc.poll() is None:
        self.assertLess(time.time(), deadline, 'no checkpoint appeared')
        time.sleep(0.05)
      with open(lock) as f:
        self.assertEqual(json.load(f)['pid'], proc.pid)
      with open(os.path.join(self._model_dir, 'params.yaml')) as f:
        params_yaml = f.read()
      with self.assertRaisesRegex(
          RuntimeError,
          f"is in use by another training job.*'pid': {proc.pid}"):
        tiny_experiment.run_train(self._model_dir, overrides)
      with open(os.path.join(self._model_dir, 'params.yaml')) as f:
        self.assertEqual(f.read(), params_yaml)
      self.assertIsNone(proc.poll(), 'the first job did not survive')
      proc.send_signal(signal.SIGKILL)
    finally:
      proc.kill()
      proc.wait()
    killed_at = self._latest_step()
    self.assertBetween(killed_at, 5, 999)
    self.assertTrue(os.path.exists(lock))  # SIGKILL leaves the lock behind

    overrides['trainer']['train_steps'] = killed_at + 2
    with self.assertLogs('absl', 'INFO') as logs:
      tiny_experiment.run_train(self._model_dir, overrides)
    output = '\n'.join(logs.output)
    self.assertIn('Took over the stale lock', output)
    self.assertEqual(_start_step(output), killed_at)
    self.assertEqual(self._latest_step(), killed_at + 2)
    self.assertFalse(os.path.exists(lock))

  def test_mirrored_strategy_on_two_logical_cpus(self):
    """Logical CPUs must be set before TensorFlow starts: a process."""
    script = (
        'import json, sys\n'
        'import tensorflow as tf\n'
        'cpu = tf.config.list_physical_devices("CPU")[0]\n'
        'tf.config.set_logical_device_configuration(\n'
        '    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)\n'
        'from official.core import exp_factory\n'
        'import train\n'
        'params = exp_factory.get_exp_config("longformer/glue")\n'
        'params.override(json.loads(sys.argv[1]), is_strict=True)\n'
        'params.validate()\n'
        'strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])\n'
        'train.run(params, sys.argv[2], "train", strategy)\n'
        'print("replicas:", strategy.num_replicas_in_sync)\n')
    overrides = tiny_experiment.glue_overrides(*self._paths, train_steps=2)
    result = subprocess.run(
        [sys.executable, '-c', script, json.dumps(overrides), self._model_dir],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=_RUN_TIMEOUT_S, check=False)
    self.assertEqual(result.returncode, 0, result.stdout[-5000:])
    self.assertIn('replicas: 2', result.stdout)
    self.assertEqual(self._latest_step(), 2)

  def test_multi_worker_mirrored_with_two_local_workers(self):
    overrides = tiny_experiment.glue_overrides(*self._paths, train_steps=2)
    overrides['runtime'] = {'distribution_strategy': 'multi_worker_mirrored'}
    workers = [f'127.0.0.1:{_free_port()}' for _ in range(2)]
    procs = []
    for index in range(2):
      tf_config = {'cluster': {'worker': workers},
                   'task': {'type': 'worker', 'index': index}}
      procs.append(subprocess.Popen(
          _train_command(self._model_dir, overrides),
          env=_env(TF_CONFIG=json.dumps(tf_config)), stdout=subprocess.PIPE,
          stderr=subprocess.STDOUT, text=True))
    outputs = []
    try:
      for proc in procs:
        outputs.append(proc.communicate(timeout=_RUN_TIMEOUT_S)[0])
    finally:
      for proc in procs:
        proc.kill()
    for proc, output in zip(procs, outputs):
      self.assertEqual(proc.returncode, 0, output[-5000:])
      self.assertIn('num_workers = 2', output)
    # Worker 0 is the chief: only it checkpoints into model_dir.
    self.assertEqual(self._latest_step(), 2)


if __name__ == '__main__':
  tf.test.main()
