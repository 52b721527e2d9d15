"""One training job per model_dir: a lock file naming its owner.

Two `train.py` jobs training into one `--model_dir` would overwrite each
other's checkpoints and `params.yaml`. The training job's chief therefore
creates `<model_dir>/train.lock` holding its host, pid and start time before
it writes anything else, and deletes it when it ends. A second job finds the
lock and refuses to start, naming the owner.

A job killed without cleaning up (SIGKILL, a crash) leaves its lock behind.
On the owner's host a lock whose pid no longer runs is stale and is taken
over with a warning. A lock from another host cannot be checked from here:
the error says to delete the file if that job is gone.

Creation is atomic (`O_CREAT | O_EXCL`) for local directories; on remote
file systems (`gs://...`) the lock is written and read back, which narrows
but does not close the window for two jobs starting at the same instant.
"""
import json
import os
import socket
import time
from typing import Any
from typing import Dict
from typing import Optional

from absl import logging
import tensorflow as tf

LOCK_NAME = 'train.lock'


def _owner_record() -> Dict[str, Any]:
  return {'host': socket.gethostname(), 'pid': os.getpid(),
          'started': time.strftime('%Y-%m-%d %H:%M:%S %Z')}


def _read_owner(path: str) -> Optional[Dict[str, Any]]:
  """The lock's owner record, or None if the file vanished or is unreadable."""
  try:
    with tf.io.gfile.GFile(path) as f:
      return json.loads(f.read())
  except (tf.errors.NotFoundError, ValueError):
    return None


def _pid_is_running(pid: int) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:  # alive, owned by another user
    return True
  return True


def _is_stale(owner: Optional[Dict[str, Any]]) -> bool:
  """True if the owner certainly no longer runs (same host, pid gone)."""
  if owner is None:
    return True
  if owner.get('host') != socket.gethostname():
    return False
  return not _pid_is_running(int(owner.get('pid', -1)))


def _create(path: str, record: Dict[str, Any]) -> bool:
  """Creates the lock file with `record`; False if it already exists."""
  text = json.dumps(record)
  if '://' not in path:
    try:
      fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
      return False
    with os.fdopen(fd, 'w') as f:
      f.write(text)
    return True
  if tf.io.gfile.exists(path):
    return False
  with tf.io.gfile.GFile(path, 'w') as f:
    f.write(text)
  return _read_owner(path) == record


def acquire(model_dir: str) -> str:
  """Locks model_dir for this process; returns the lock file's path.

  Args:
    model_dir: the training job's `--model_dir`; created if missing.

  Returns:
    The lock file's path, for `release`.

  Raises:
    RuntimeError: another live job (or a job on another host) holds it.
  """
  tf.io.gfile.makedirs(model_dir)
  path = os.path.join(model_dir, LOCK_NAME)
  record = _owner_record()
  if _create(path, record):
    return path
  owner = _read_owner(path)
  if _is_stale(owner):
    logging.warning('Taking over the stale lock %s of a job that no longer '
                    'runs: %s', path, owner)
    tf.io.gfile.remove(path)
    if _create(path, record):
      return path
    owner = _read_owner(path)
  raise RuntimeError(
      f'--model_dir={model_dir} is in use by another training job '
      f'(lock {path}: {owner}). Two jobs training into one directory '
      'overwrite each other\'s checkpoints and params.yaml. Wait for that '
      'job to end or give this one a new --model_dir. If that job is no '
      f'longer running (e.g. its machine died), delete {path}; a lock left by '
      'a dead process on this host is taken over automatically.')


def release(path: str) -> None:
  """Deletes the lock at `path` if this process still owns it."""
  owner = _read_owner(path)
  if owner and owner.get('pid') == os.getpid() and (
      owner.get('host') == socket.gethostname()):
    tf.io.gfile.remove(path)
