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

"""One training job per model_dir: a lock file naming its owner.

Two `train.py` jobs training into one `--model_dir` would overwrite each
other's checkpoints and `params.yaml`. The training job's chief therefore
creates `<model_dir>/train.lock` holding its host, pid and start time before
it writes anything else, and deletes it when it ends. A second job finds the
lock and refuses to start, naming the owner.

A job killed without cleaning up (SIGKILL, a crash) leaves its lock behind.
The lock records the owner's host, pid, pid namespace and boot
(`files.process_owner`); a lock whose owner is provably dead (the same
host, pid namespace and boot as this process, and a pid that no longer
runs) is stale and is taken over with a warning. Any other lock (another
host, container or boot, or an older record without those fields) cannot
be checked from here: the error names its owner and says to delete the
file if that job is gone.

Atomicity, for local directories:
- a lock is written whole to a private file, then hard-linked to its name
  (`os.link` fails if the name exists): it never exists empty or half
  written, and an unreadable lock is treated as live, never as stale;
- a stale lock is taken over by the one job that creates (`O_EXCL`) the
  takeover marker `train.lock.takeover-<digest of the stale record>`; that
  job checks the lock still holds the stale record and replaces it
  (`os.replace`). Any other job judging the same record stale fails to
  create the marker and reads the new owner. The marker stays (a few bytes),
  so a slow job cannot take over the same record later.
On remote file systems (`gs://...`) the lock is written and read back, which
narrows but does not close the window for two jobs starting at the same
instant.
"""
import hashlib
import json
import os
import tempfile
import time
import uuid
from typing import Any
from typing import Dict
from typing import Optional

from absl import logging

from longformer.files import process_owner

LOCK_NAME = 'train.lock'


def _owner_record() -> Dict[str, Any]:
  return {**process_owner.current(),
          'started': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
          'id': uuid.uuid4().hex}


def _gfile():
  """tf.io.gfile, imported only for remote paths (local locks need no TF)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  return tf.io.gfile


def _is_remote(path: str) -> bool:
  return '://' in path


def _read_owner(path: str) -> Optional[Dict[str, Any]]:
  """The lock's owner record; None if there is no lock file.

  An unreadable lock (not JSON, e.g. written by hand) is {} : held by an
  unknown owner, never stale.
  """
  try:
    if _is_remote(path):
      gfile = _gfile()
      if not gfile.exists(path):
        return None
      with gfile.GFile(path) as f:
        text = f.read()
    else:
      with open(path, encoding='utf-8') as f:
        text = f.read()
  except FileNotFoundError:
    return None
  try:
    owner = json.loads(text)
  except ValueError:
    return {}
  return owner if isinstance(owner, dict) else {}


def _write_private(path: str, record: Dict[str, Any]) -> str:
  """Writes `record` to a new file beside `path`; returns its name."""
  fd, private = tempfile.mkstemp(dir=os.path.dirname(path),
                                 prefix=os.path.basename(path) + '.new-')
  with os.fdopen(fd, 'w') as f:
    f.write(json.dumps(record))
  return private


def _create(path: str, record: Dict[str, Any]) -> bool:
  """Creates the lock file with `record`; False if it already exists."""
  if _is_remote(path):
    gfile = _gfile()
    if gfile.exists(path):
      return False
    with gfile.GFile(path, 'w') as f:
      f.write(json.dumps(record))
    return _read_owner(path) == record
  private = _write_private(path, record)
  try:
    os.link(private, path)  # the whole record appears at once, or nothing
    return True
  except FileExistsError:
    return False
  finally:
    os.remove(private)


def _take_over(path: str, stale: Dict[str, Any],
               record: Dict[str, Any]) -> bool:
  """Replaces the lock holding `stale` by `record`; False if another did."""
  digest = hashlib.sha256(
      json.dumps(stale, sort_keys=True).encode()).hexdigest()[:16]
  marker = f'{path}.takeover-{digest}'
  if _is_remote(path):
    if not _create(marker, record):
      return False
    _gfile().remove(path)
    return _create(path, record)
  try:
    os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
  except FileExistsError:
    return False  # another job is taking over (or took over) this record
  if _read_owner(path) != stale:
    return False  # the lock changed since it was judged stale
  os.replace(_write_private(path, record), path)
  return True


def acquire(model_dir: str) -> str:
  """Locks model_dir for this process; returns the lock file's path.

  Args:
    model_dir: the training job's `--model_dir`; created if missing.

  Returns:
    The lock file's path, for `release`.

  Raises:
    RuntimeError: another live job (or a job on another host) holds it.
  """
  if _is_remote(model_dir):
    _gfile().makedirs(model_dir)
  else:
    os.makedirs(model_dir, exist_ok=True)
  path = os.path.join(model_dir, LOCK_NAME)
  record = _owner_record()
  owner = None
  for _ in range(3):  # the lock may vanish (its owner ended) between steps
    if _create(path, record):
      return path
    owner = _read_owner(path)
    if owner is None:
      continue
    if not process_owner.is_provably_dead(owner):
      break
    if _take_over(path, owner, record):
      logging.warning('Took over the stale lock %s of a job that no longer '
                      'runs: %s', path, owner)
      return path
    owner = _read_owner(path)
    break
  raise RuntimeError(
      f'--model_dir={model_dir} is in use by another training job: '
      f'{process_owner.describe(owner)} (lock {path}: {owner}). Two jobs '
      'training into one directory overwrite each other\'s checkpoints and '
      'params.yaml. Wait for that job to end or give this one a new '
      '--model_dir. If that job is no longer running (e.g. its machine or '
      f'container is gone), delete {path} by hand. Only a lock of a '
      'process that provably ended (this host, pid namespace and boot, pid '
      'gone) is taken over automatically.')


def release(path: str) -> None:
  """Deletes the lock at `path` if this process still owns it."""
  owner = _read_owner(path)
  if owner and process_owner.is_current(owner):
    if _is_remote(path):
      _gfile().remove(path)
    else:
      os.remove(path)
