"""Tests for train.py: runs, resumes, refuses, and scales out.

Every run is a subprocess of train.py on the tiny demo records of
`tiny_experiment`, as a user would start it: two steps of train_and_eval in
bfloat16 with params.yaml, checkpoints and eval metrics (one run, shared by
the class: the tests that resume or refuse work on copies of its
model_dir), a resumed run, both eval modes, a second job refused while the
first runs, a killed and restarted run, resuming another architecture
refused with the directory untouched, float16 on a 2-class task, missing or
empty input files, MirroredStrategy on two logical CPUs and
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
import tempfile
import time
from typing import Any
from typing import Dict
from typing import List

import tensorflow as tf
import yaml

import tiny_experiment

_TRAIN_PY = os.path.join(tiny_experiment.REPO_DIR, 'train.py')
# A whole train.py run of the tiny model takes about 15 s on 2 cores; this
# bounds a hung run (e.g. a worker waiting for a peer that died).
_RUN_TIMEOUT_S = 180
# orbit's Controller.train prints this line once when it starts.
_START_LINE = re.compile(r'train \| step: +(\d+) \| training until step (\d+)')


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
  """Runs train.py; returns (exit status, output)."""
  result = subprocess.run(
      _train_command(model_dir, overrides, mode), env=_env(**env),
      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
      timeout=_RUN_TIMEOUT_S, check=False)
  return result.returncode, result.stdout


def _bfloat16_overrides(paths, train_steps):
  overrides = tiny_experiment.glue_overrides(*paths, train_steps=train_steps)
  overrides['runtime'] = {'mixed_precision_dtype': 'bfloat16'}
  return overrides


class TrainPyTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    """One 2-step train_and_eval run in bfloat16, shared by the class."""
    super().setUpClass()
    cls._shared_tmp = tempfile.mkdtemp()
    cls._shared_paths = tiny_experiment.write_records(cls._shared_tmp)
    cls._shared_model_dir = os.path.join(cls._shared_tmp, 'model')
    cls._shared_status, cls._shared_output = _run_train_py(
        cls._shared_model_dir, _bfloat16_overrides(cls._shared_paths, 2),
        mode='train_and_eval')

  @classmethod
  def tearDownClass(cls):
    shutil.rmtree(cls._shared_tmp, ignore_errors=True)
    super().tearDownClass()

  def setUp(self):
    super().setUp()
    self._tmp = self.get_temp_dir()
    self._paths = tiny_experiment.write_records(self._tmp)
    self._model_dir = os.path.join(self._tmp, 'model')

  def _copy_shared_model_dir(self):
    """This test's model_dir becomes a copy of the shared 2-step run's."""
    self.assertEqual(self._shared_status, 0, self._shared_output[-5000:])
    shutil.copytree(self._shared_model_dir, self._model_dir)
    return self._shared_paths

  def _run(self, overrides, mode='train', expect_success=True, **env):
    """Runs train.py; returns its output. Checks the exit status."""
    status, output = _run_train_py(self._model_dir, overrides, mode, **env)
    if expect_success:
      self.assertEqual(status, 0, output[-5000:])
    else:
      self.assertNotEqual(status, 0, output[-5000:])
    return output

  def _latest_step(self, model_dir=None):
    path = tf.train.latest_checkpoint(model_dir or self._model_dir)
    return None if path is None else int(path.rsplit('-', 1)[1])

  def test_two_bfloat16_steps_save_params_checkpoints_and_eval(self):
    """Model Garden adds an AUC metric for 2 classes; it must not crash."""
    output, model_dir = self._shared_output, self._shared_model_dir
    self.assertEqual(self._shared_status, 0, output[-5000:])
    # Known-harmless warnings are silenced (longformer/known_warnings.py);
    # the encoder's unused pooler is still reported.
    self.assertNotIn('pkg_resources is deprecated', output)
    self.assertNotIn('key_global/bias', output)
    self.assertIn('pooler_transform/kernel', output)
    with open(os.path.join(model_dir, 'params.yaml')) as f:
      saved = yaml.safe_load(f)
    self.assertEqual(saved['trainer']['train_steps'], 2)
    self.assertEqual(saved['task']['model']['encoder']['any']['hidden_size'],
                     tiny_experiment.ENCODER['hidden_size'])
    self.assertEqual(saved['runtime']['mixed_precision_dtype'], 'bfloat16')
    self.assertEqual(self._latest_step(model_dir), 2)
    self.assertTrue(os.listdir(os.path.join(model_dir, 'validation')))
    auc = self._last_scalar(os.path.join(model_dir, 'validation'), 'auc')
    self.assertBetween(auc, 0.0, 1.0)
    self.assertRegex(output, r'eval \| step: +2 \| steps/sec')

  def test_resume_to_four_then_eval_modes(self):
    paths = self._copy_shared_model_dir()
    overrides = _bfloat16_overrides(paths, train_steps=4)
    output = self._run(overrides)
    self.assertEqual(_start_step(output), 2)
    self.assertEqual(self._latest_step(), 4)

    # Both eval modes evaluate the latest checkpoint; continuous_eval then
    # waits continuous_eval_timeout seconds for a newer one and, as step 4
    # is train_steps, stops.
    overrides['trainer']['continuous_eval_timeout'] = 1
    for mode in ('eval', 'continuous_eval'):
      output = self._run(overrides, mode=mode)
      self.assertRegex(output, r'eval \| step: +4 \| running', msg=mode)

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
      second = self._run(overrides, expect_success=False)
      self.assertIn('is in use by another training job', second)
      self.assertIn(f"'pid': {proc.pid}", second)
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
    output = self._run(overrides)
    self.assertIn('Taking over the stale lock', output)
    self.assertEqual(_start_step(output), killed_at)
    self.assertEqual(self._latest_step(), killed_at + 2)
    self.assertFalse(os.path.exists(lock))

  def _model_dir_files(self):
    files = {}
    for root, _, names in os.walk(self._model_dir):
      for name in names:
        with open(os.path.join(root, name), 'rb') as f:
          files[os.path.join(root, name)] = f.read()
    return files

  def test_resume_with_another_architecture_is_refused_untouched(self):
    overrides = _bfloat16_overrides(self._copy_shared_model_dir(), 2)
    before = self._model_dir_files()
    encoder = overrides['task']['model']['encoder']['any']
    changes = [
        ('num_layers', 3, r'variables of the configured model that are not '
         r'in the checkpoint include: .*layer_2'),
        ('num_layers', 1, r'the checkpoint holds \d+ model variables, the '
         r'configured model has \d+'),
        ('intermediate_size', 48, r'shape'),
    ]
    for field, value, reason in changes:
      changed = json.loads(json.dumps(overrides))
      changed['task']['model']['encoder']['any'][field] = value
      changed['trainer']['train_steps'] = 3
      output = self._run(changed, expect_success=False)
      self.assertIn('of another architecture', output, msg=field)
      self.assertRegex(output, reason)
      self.assertIn(f'task.model.encoder.any.{field}: {encoder[field]} in ',
                    output, msg=field)
      self.assertIn('new --model_dir', output, msg=field)
      self.assertEqual(self._model_dir_files(), before, msg=field)

  def test_float16_two_classes_trains_and_evaluates(self):
    """bfloat16: test_two_bfloat16_steps_save_params_checkpoints_and_eval."""
    overrides = tiny_experiment.glue_overrides(*self._paths, train_steps=2)
    overrides['runtime'] = {'mixed_precision_dtype': 'float16'}
    output = self._run(overrides, mode='train_and_eval')
    self.assertEqual(self._latest_step(), 2)
    auc = self._last_scalar(os.path.join(self._model_dir, 'validation'), 'auc')
    self.assertBetween(auc, 0.0, 1.0)
    self.assertRegex(output, r'eval \| step: +2 \| steps/sec')

  def _last_scalar(self, event_dir, tag):
    values = [float(tf.make_ndarray(v.tensor))
              for path in sorted(tf.io.gfile.glob(event_dir + '/events.*'))
              for event in tf.compat.v1.train.summary_iterator(path)
              for v in event.summary.value if v.tag == tag]
    self.assertNotEmpty(values, f'no {tag} summary in {event_dir}')
    return values[-1]

  def test_empty_input_path_names_the_key(self):
    overrides = tiny_experiment.glue_overrides(*self._paths)
    overrides['task']['validation_data']['input_path'] = ''
    output = self._run(overrides, mode='train_and_eval',
                       expect_success=False)
    self.assertIn('task.validation_data.input_path is empty', output)
    self.assertIn('--params_override=task.validation_data.input_path=', output)
    self.assertFalse(os.path.exists(self._model_dir))

  def test_empty_tfrecord_names_the_file(self):
    empty = os.path.join(self._tmp, 'empty.tf_record')
    with tf.io.TFRecordWriter(empty):
      pass
    overrides = tiny_experiment.glue_overrides(*self._paths)
    overrides['task']['train_data']['input_path'] = empty
    output = self._run(overrides, expect_success=False)
    self.assertIn(f'task.train_data.input_path: {empty} hold(s) no record',
                  output)
    self.assertFalse(os.path.exists(self._model_dir))

  def test_mirrored_strategy_on_two_logical_cpus(self):
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
