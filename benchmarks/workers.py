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

"""Runs one benchmark worker script in a fresh process and reads its result.

A worker prints its result as one JSON line on stdout. A worker that prints
none (it crashed, was killed or timed out) becomes a result with a `status`
and an `error` naming the cause, and its stderr is kept in a log file. With
a memory limit, every worker's resident memory is polled and a worker
whose resident memory passes it is killed (status 'killed'), whether or not
it had a projection (memory_guard.py).
Workers run with this checkout first on PYTHONPATH, so they measure the
`longformer` package next to them.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Tuple

# The checkout holding this script: workers import its `longformer`, not an
# installed copy.
CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXCEPTION_LINE = re.compile(r'^[A-Za-z_][\w.]*(Error|Exception|Exit)\b')
POLL_S = 0.5  # Seconds between checks of a worker's memory and time.
WRAPPER_MESSAGE = re.compile(
    r'in user code:$|^\S+: Exception encountered when calling layer')


def output_dir_or_fresh(output_dir: str, name: str) -> str:
  """`output_dir`, or if empty a new directory outside the checkout.

  The committed tables under benchmarks/results* change only when a command
  names them, so a quick trial run never overwrites them.
  """
  if output_dir:
    return output_dir
  return tempfile.mkdtemp(prefix=f'longformer_{name}_')


def last_exception(stderr: str) -> str:
  """The innermost 'SomethingError: message' of a traceback, or last line.

  TensorFlow nests the cause in indented 'in user code:' and 'Exception
  encountered when calling layer' blocks; those wrapper lines are skipped.
  """
  lines = [line.strip() for line in stderr.strip().splitlines()]
  errors = [line for line in lines if EXCEPTION_LINE.match(line)]
  causes = [line for line in errors if not WRAPPER_MESSAGE.search(line)]
  if causes or errors:
    return (causes or errors)[-1]
  return lines[-1] if lines else 'no output'


def failure(returncode: int, stderr: str) -> Dict[str, str]:
  """The status and message of a worker that printed no result."""
  if returncode < 0:
    name = signal.Signals(-returncode).name
    hint = ' (out of memory?)' if -returncode == signal.SIGKILL else ''
    return {'status': 'killed', 'error': f'killed by {name}{hint}'}
  return {'status': 'error',
          'error': f'exit {returncode}: {last_exception(stderr)}'}


def save_log(path: str, stderr: str) -> str:
  """Writes a failed worker's stderr to `path`; returns the path."""
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, 'w') as f:
    f.write(stderr)
  return path


def rss_gib(pid: int) -> float:
  """Resident memory of process `pid` in GiB (0 once it is gone)."""
  try:
    with open(f'/proc/{pid}/status') as f:
      for line in f:
        if line.startswith('VmRSS:'):
          return int(line.split()[1]) / 2**20
  except (OSError, ValueError):
    pass
  return 0.0


def watch(process: subprocess.Popen, timeout: int,
          memory_limit_gib: Optional[float]) -> Tuple[str, str, Dict]:
  """Waits for `process`, killing it past `timeout` s or the memory limit.

  Returns:
    (stdout, stderr, failure): failure is {} or the status and error of a
    worker this function killed.
  """
  deadline = time.time() + timeout
  while True:
    try:
      stdout, stderr = process.communicate(timeout=POLL_S)
      return stdout, stderr, {}
    except subprocess.TimeoutExpired:
      rss = rss_gib(process.pid)
      if memory_limit_gib and rss > memory_limit_gib:
        killed = {'status': 'killed',
                  'error': f'resident memory {rss:.3g} GiB passed the '
                           f'memory limit of {memory_limit_gib:.3g} GiB'}
      elif time.time() > deadline:
        killed = {'status': 'timeout', 'error': f'no result after {timeout} s'}
      else:
        continue
      process.kill()
      stdout, stderr = process.communicate()
      return stdout, stderr, killed


def run_worker(script: str, args: List[str], threads: int, timeout: int,
               log_path: str, memory_limit_gib: Optional[float] = None
               ) -> Dict[str, object]:
  """Runs `script args` with `threads` threads; never raises on its failure.

  Args:
    script: path of the worker script.
    args: its flags.
    threads: OMP/MKL threads (the worker sets the frameworks' own).
    timeout: seconds before the worker is killed.
    log_path: where the stderr of a failed worker is written.
    memory_limit_gib: if given, the worker is killed once its resident
      memory (polled every POLL_S seconds) passes this many GiB.

  Returns:
    The worker's JSON result, or a failure, plus `load_before` (1-minute
    load average at the start) and `wall_s` (seconds, including start-up).
  """
  env = dict(os.environ, PYTHONPATH=os.pathsep.join(
      [CHECKOUT] + [p for p in [os.environ.get('PYTHONPATH')] if p]),
             OMP_NUM_THREADS=str(threads),
             MKL_NUM_THREADS=str(threads), TF_CPP_MIN_LOG_LEVEL='2',
             CUDA_VISIBLE_DEVICES='-1')
  result = {'load_before': os.getloadavg()[0]}
  start = time.time()
  process = subprocess.Popen(
      [sys.executable, script] + args, env=env, stdout=subprocess.PIPE,
      stderr=subprocess.PIPE, text=True)
  stdout, stderr, killed = watch(process, timeout, memory_limit_gib)
  json_lines = [line for line in stdout.splitlines() if line.startswith('{')]
  if killed:
    result.update(killed, log=save_log(log_path, stderr))
  elif process.returncode == 0 and json_lines:
    result.update(json.loads(json_lines[-1]))
  else:
    result.update(failure(process.returncode, stderr),
                  log=save_log(log_path, stderr))
  result['wall_s'] = time.time() - start
  return result


def write_json_atomically(data: object, path: str) -> None:
  """Writes `data` as JSON to `path` through a temporary file and a rename."""
  temporary = path + '.tmp'
  with open(temporary, 'w') as f:
    json.dump(data, f, indent=1)
  os.replace(temporary, path)
