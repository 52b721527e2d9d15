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

"""Tests for longformer/model_dir_lock.py: who may train into a model_dir.

train_test.py covers the entry point (a second train.py job refused, a
killed job's lock taken over); these cover the cases a single machine cannot
produce through it: a lock from another host, and release by a non-owner.
"""
import json
import os
import socket
import subprocess
import sys
import textwrap

import tensorflow as tf

from longformer.files import process_owner
from longformer.training import model_dir_lock


def _write_lock(model_dir, **record):
  os.makedirs(model_dir, exist_ok=True)
  path = os.path.join(model_dir, model_dir_lock.LOCK_NAME)
  with open(path, 'w') as f:
    json.dump(record, f)
  return path


def _here(**changes):
  """This process's owner record (host, pid namespace, boot) with
  `changes`."""
  return dict(process_owner.current(), **changes)


def _dead_pid():
  """A pid that surely does not run: a child that has exited and was reaped."""
  proc = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'],
                        stdout=subprocess.PIPE, text=True, check=True)
  return int(proc.stdout)


_REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_RACE_ROUNDS = 40
# Two processes forked from one launcher meet at a barrier, then both
# acquire the same model_dir; prints the winners of each round as JSON.
_RACE_SCRIPT = textwrap.dedent("""
    import json, multiprocessing, sys
    from longformer.training import model_dir_lock
    dirs = sys.argv[1:]

    def worker(barrier, queue):
      for model_dir in dirs:
        barrier.wait()
        try:
          model_dir_lock.acquire(model_dir)
          queue.put((model_dir, 1))
        except RuntimeError:
          queue.put((model_dir, 0))

    context = multiprocessing.get_context('fork')
    barrier, queue = context.Barrier(2), context.Queue()
    procs = [context.Process(target=worker, args=(barrier, queue))
             for _ in range(2)]
    for proc in procs:
      proc.start()
    winners = {d: 0 for d in dirs}
    for _ in range(2 * len(dirs)):
      model_dir, won = queue.get(timeout=120)
      winners[model_dir] += won
    for proc in procs:
      proc.join()
    print(json.dumps(winners))
""")


class ModelDirLockTest(tf.test.TestCase):

  def test_acquire_writes_owner_and_release_removes_it(self):
    model_dir = os.path.join(self.get_temp_dir(), 'fresh')
    path = model_dir_lock.acquire(model_dir)
    with open(path) as f:
      owner = json.load(f)
    self.assertEqual((owner['host'], owner['pid']),
                     (socket.gethostname(), os.getpid()))
    model_dir_lock.release(path)
    self.assertFalse(os.path.exists(path))

  def test_live_owner_on_this_host_refuses(self):
    model_dir = os.path.join(self.get_temp_dir(), 'live')
    # The test runner's parent process is alive for the whole test.
    _write_lock(model_dir, host=socket.gethostname(), pid=os.getppid())
    with self.assertRaisesRegex(RuntimeError, 'in use by another training'):
      model_dir_lock.acquire(model_dir)

  def test_lock_from_another_host_refuses_and_says_how_to_clear_it(self):
    model_dir = os.path.join(self.get_temp_dir(), 'remote')
    path = _write_lock(model_dir, host='another-host.invalid', pid=_dead_pid())
    with self.assertRaisesRegex(RuntimeError,
                                f'another-host.invalid.*delete {path}'):
      model_dir_lock.acquire(model_dir)
    self.assertTrue(os.path.exists(path))

  def test_dead_owner_on_this_host_is_taken_over(self):
    model_dir = os.path.join(self.get_temp_dir(), 'stale')
    path = _write_lock(model_dir, **_here(pid=_dead_pid()))
    self.assertEqual(model_dir_lock.acquire(model_dir), path)
    with open(path) as f:
      self.assertEqual(json.load(f)['pid'], os.getpid())

  def test_dead_pid_of_another_namespace_boot_or_old_record_refuses(self):
    """A container sharing this hostname, this host before a reboot, or a
    lock without those fields: its pid says nothing here."""
    dead = _dead_pid()
    owners = {'namespace': _here(pid=dead, pid_ns=1),
              'boot': _here(pid=dead, boot_id='0' * 8),
              'old record': {'host': socket.gethostname(), 'pid': dead}}
    for name, owner in owners.items():
      model_dir = os.path.join(self.get_temp_dir(), name.replace(' ', '_'))
      path = _write_lock(model_dir, **owner)
      with self.assertRaisesRegex(
          RuntimeError, f'in use by another training job: pid {dead} on host '
          f'.*delete {path} by hand', msg=name):
        model_dir_lock.acquire(model_dir)
      with open(path) as f:
        self.assertEqual(json.load(f), owner, msg=name)

  def test_two_processes_taking_over_one_stale_lock_one_wins(self):
    dead = _dead_pid()
    dirs = []
    for index in range(_RACE_ROUNDS):
      model_dir = os.path.join(self.get_temp_dir(), f'race{index}')
      _write_lock(model_dir, **_here(pid=dead))
      dirs.append(model_dir)
    env = dict(os.environ, PYTHONPATH=_REPO_DIR)
    result = subprocess.run([sys.executable, '-c', _RACE_SCRIPT, *dirs],
                            env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=300,
                            check=False)
    self.assertEqual(result.returncode, 0, result.stderr[-3000:])
    winners = json.loads(result.stdout.strip().splitlines()[-1])
    self.assertEqual(winners, {d: 1 for d in dirs})

  def test_lock_being_written_is_not_stale(self):
    """A lock created but not yet written (empty) is held, not taken over."""
    model_dir = os.path.join(self.get_temp_dir(), 'empty')
    os.makedirs(model_dir)
    path = os.path.join(model_dir, model_dir_lock.LOCK_NAME)
    open(path, 'w').close()
    with self.assertRaisesRegex(RuntimeError, f'in use.*delete {path}'):
      model_dir_lock.acquire(model_dir)
    self.assertEqual(os.path.getsize(path), 0)

  def test_release_leaves_another_owners_lock(self):
    model_dir = os.path.join(self.get_temp_dir(), 'other')
    path = _write_lock(model_dir, host=socket.gethostname(), pid=os.getppid())
    model_dir_lock.release(path)
    self.assertTrue(os.path.exists(path))


if __name__ == '__main__':
  tf.test.main()
