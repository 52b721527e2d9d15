"""Tests for train.py: runs, resumes after a kill, and scales out.

Every run is a subprocess of train.py on the tiny demo records of
`tiny_experiment`, as a user would start it: two steps with params.yaml and
checkpoints, a resumed run, both eval modes, a killed and restarted run,
MirroredStrategy on two logical CPUs and MultiWorkerMirroredStrategy with two
local workers.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
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


class TrainPyTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    self._tmp = self.get_temp_dir()
    self._paths = tiny_experiment.write_records(self._tmp)
    self._model_dir = os.path.join(self._tmp, 'model')

  def _run(self, overrides, mode='train', **env):
    result = subprocess.run(
        _train_command(self._model_dir, overrides, mode), env=_env(**env),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=_RUN_TIMEOUT_S, check=False)
    self.assertEqual(result.returncode, 0, result.stdout[-5000:])
    return result.stdout

  def _latest_step(self):
    path = tf.train.latest_checkpoint(self._model_dir)
    return None if path is None else int(path.rsplit('-', 1)[1])

  def test_two_steps_resume_to_four_then_eval_modes(self):
    self._run(tiny_experiment.glue_overrides(*self._paths, train_steps=2),
              mode='train_and_eval')
    with open(os.path.join(self._model_dir, 'params.yaml')) as f:
      saved = yaml.safe_load(f)
    self.assertEqual(saved['trainer']['train_steps'], 2)
    self.assertEqual(saved['task']['model']['encoder']['any']['hidden_size'],
                     tiny_experiment.ENCODER['hidden_size'])
    self.assertEqual(self._latest_step(), 2)
    self.assertTrue(os.listdir(os.path.join(self._model_dir, 'validation')))

    overrides = tiny_experiment.glue_overrides(*self._paths, train_steps=4)
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

  def test_killed_run_resumes_from_its_last_checkpoint(self):
    train_steps = 30
    overrides = tiny_experiment.glue_overrides(*self._paths, train_steps)
    overrides['trainer']['checkpoint_interval'] = 5
    overrides['trainer']['summary_interval'] = train_steps
    proc = subprocess.Popen(
        _train_command(self._model_dir, overrides), env=_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
      deadline = time.time() + _RUN_TIMEOUT_S
      while (self._latest_step() or 0) < 5 and proc.poll() is None:
        self.assertLess(time.time(), deadline, 'no checkpoint appeared')
        time.sleep(0.05)
      self.assertIsNone(proc.poll(), 'finished before it could be killed')
      proc.send_signal(signal.SIGKILL)
    finally:
      proc.kill()
      proc.wait()
    killed_at = self._latest_step()
    self.assertBetween(killed_at, 5, train_steps - 1)

    output = self._run(overrides)
    self.assertEqual(_start_step(output), killed_at)
    self.assertEqual(self._latest_step(), train_steps)

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
