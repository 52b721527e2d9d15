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

"""The one output rule of every tool: stage, verify, then publish the set.

A tool's output is a *set* of files in one folder: the files it writes,
plus every file there that matches its `patterns` (what an earlier run of
the tool may have written, e.g. `*.tf_record` of other splits). The rule:

- An existing set (any member present) is refused, naming the files,
  unless the user passed `--overwrite`; then the WHOLE set is replaced:
  members this run does not write are removed too, so no stale file of an
  earlier run is left beside the new ones.
- Files are written into a hidden staging folder and only `publish` moves
  them into place, after the tool has verified them. A failure or Ctrl-C
  before that removes the staging folder; a kill (SIGKILL) leaves only the
  hidden staging folder (`.<name>.partial-*`), never a file at an output
  path.
- A staging folder's name records its run's process: pid, host, pid
  namespace and boot (`.partial-<tag>-<pid>@<host>~ns<inode>~boot<id>`,
  see `files.process_owner`). Staging removes the staging folders of the
  same output left by killed runs only where that is provable: the same
  host, pid namespace and boot as this process and a pid that no longer
  runs, saying so in one line. Any other (another host, container or boot,
  no owner recorded, any `gs://`-style path) is reported in one line and
  left, as are those of a live process (a second line).
- A `.replaced-*` folder in the output (a run killed while publishing,
  below) is reported by the next run, never removed: it holds files of the
  set being replaced.
- `publish` refuses (nothing published) if a file handed out by
  `staged_path` is missing from the staging folder, e.g. removed by a
  misjudged cleanup.
- A new output folder appears at once: its staging folder (a hidden
  sibling) is renamed to it. Into an existing folder (staged in a hidden
  subfolder of it, so renames stay on one file system) the old members are
  moved aside into a hidden folder, the new files moved in (checkpoint data,
  then index, then the rest, metadata files last), and the old ones
  deleted; a failed move puts everything back as it was.

Every file operation goes through `tf.io.gfile`, so `gs://` paths work
(there a rename copies, so publishing is not atomic).
"""
import contextlib
import fnmatch
import os
import posixpath
import re
import uuid
from typing import Iterator, List, Optional, Sequence

from absl import logging
import tensorflow as tf

from longformer.files import process_owner

# The owner of a staging folder, from its name's end (see `_partial_name`).
_OWNER = re.compile(
    r'\.partial-[0-9a-f]{8}-(\d+)@([^/~]+)~ns(\d*)~boot([0-9a-f-]*)$')


class OutputExistsError(ValueError):
  """An output of the set is already there and --overwrite was not given."""


def _join(directory: str, name: str) -> str:
  return posixpath.join(directory, name) if '://' in directory else (
      os.path.join(directory, name))


def _dirname(path: str) -> str:
  return posixpath.dirname(path) if '://' in path else os.path.dirname(path)


def _normalize(path: str) -> str:
  return path.rstrip('/') if '://' in path else os.path.abspath(path)


def refuse_existing(paths: Sequence[str], overwrite: bool = False) -> None:
  """Raises OutputExistsError naming every path of `paths` that exists.

  Args:
    paths: output files or folders.
    overwrite: the user's --overwrite; True accepts existing paths.
  """
  if overwrite:
    return
  existing = [p for p in paths if tf.io.gfile.exists(p)]
  if existing:
    raise OutputExistsError(
        f'Output already exists: {", ".join(existing)}. Pass --overwrite to '
        'replace the whole output set, or choose another output path; '
        'nothing was written.')


def _entries(directory: str, keep) -> List[str]:
  """Sorted paths of the entries of `directory` whose name passes `keep`;
  [] if `directory` is not a folder."""
  if not tf.io.gfile.isdir(directory):
    return []
  names = sorted(n.rstrip('/') for n in tf.io.gfile.listdir(directory))
  return [_join(directory, n) for n in names if keep(n)]


def existing_members(final_dir: str, patterns: Sequence[str]) -> List[str]:
  """Paths in `final_dir` whose names match one of `patterns` (globs)."""
  return _entries(final_dir, lambda n: not n.startswith('.') and any(
      fnmatch.fnmatchcase(n, p) for p in patterns))


def check_output(final_dir: str, patterns: Sequence[str],
                 overwrite: bool) -> None:
  """Fails early, before any work, if the set exists and not `overwrite`."""
  refuse_existing(existing_members(_normalize(final_dir), patterns),
                  overwrite)


@contextlib.contextmanager
def staged(final_dir: str, patterns: Sequence[str] = (),
           overwrite: bool = False) -> Iterator['Stage']:
  """Yields a `Stage` for `final_dir`; its folder is removed on exit.

  Args:
    final_dir: the folder the files belong in (created on publish).
    patterns: glob patterns of file names that belong to the set besides
      the staged files (an earlier run's outputs), e.g. ('*.tf_record',).
    overwrite: replace an existing set (else `publish` refuses it).
  """
  final_dir = _normalize(final_dir)
  remove_stale_partials(final_dir)
  report_interrupted_publish(final_dir)
  if tf.io.gfile.isdir(final_dir):
    path = _join(final_dir, _partial_name(''))
  else:
    path = _join(_dirname(final_dir),
                 _partial_name(f'.{os.path.basename(final_dir)}'))
  tf.io.gfile.makedirs(path)
  stage = Stage(final_dir, path, tuple(patterns), overwrite)
  try:
    yield stage
  finally:
    if tf.io.gfile.exists(path):
      tf.io.gfile.rmtree(path)


def _partial_name(prefix: str) -> str:
  """A new staging folder's name, ending in this process's owner record."""
  owner = process_owner.current()
  return (f'{prefix}.partial-{uuid.uuid4().hex[:8]}-{owner["pid"]}@'
          f'{owner["host"]}~ns{owner.get("pid_ns", "")}~boot'
          f'{owner.get("boot_id", "")}')


def _owner_of(path: str) -> Optional[process_owner.Owner]:
  """The owner record in a staging folder's name; None if it has none."""
  match = _OWNER.search(path)
  if match is None:
    return None
  pid, host, pid_ns, boot_id = match.groups()
  owner = {'pid': int(pid), 'host': host, 'pid_ns': int(pid_ns or 0),
           'boot_id': boot_id}
  return {k: v for k, v in owner.items() if v}


def _partials(final_dir: str) -> List[str]:
  """The staging folders of `final_dir`, inside it and beside it."""
  sibling = f'.{os.path.basename(final_dir)}.partial-'
  return (_entries(final_dir, lambda n: n.startswith('.partial-')) +
          _entries(_dirname(final_dir), lambda n: n.startswith(sibling)))


def remove_stale_partials(final_dir: str) -> List[str]:
  """Removes the staging folders of `final_dir` left by ended processes.

  A folder is removed only if its owner is provably dead
  (`process_owner.is_provably_dead`: this host, pid namespace and boot, and
  a pid that no longer runs) and `final_dir` is local. Folders of a live
  process are left and reported in one line; all others (another host,
  container or boot, no owner recorded, a remote path) in another.

  Args:
    final_dir: an output folder (normalized, as `staged` makes it).

  Returns:
    The removed folders' paths.
  """
  removed, live, unknown = [], [], []
  for path in _partials(final_dir):
    owner = _owner_of(path)
    if '://' in path or owner is None or not process_owner.same_place(owner):
      unknown.append(path)
    elif process_owner.is_provably_dead(owner):
      tf.io.gfile.rmtree(path)
      removed.append(path)
    else:
      live.append(path)
  if removed:
    logging.warning('Removed %d staging folder(s) left by runs that no '
                    'longer run: %s', len(removed), ', '.join(removed))
  if live:
    logging.warning('Left %d staging folder(s) of runs still running: %s.',
                    len(live), ', '.join(live))
  if unknown:
    logging.warning(
        'Left %d staging folder(s) whose run cannot be checked from here '
        '(another host, container or boot, no owner recorded, or a remote '
        'path): %s. Delete them if no run is writing %s.', len(unknown),
        ', '.join(unknown), final_dir)
  return removed


def report_interrupted_publish(final_dir: str) -> List[str]:
  """Warns of `.replaced-*` folders in `final_dir` and returns their paths.

  `publish` moves an earlier set aside into such a folder and deletes it
  once the new set is in place, so one left behind means a run was killed
  while publishing: it holds (part of) the earlier set, and the files in
  `final_dir` may mix the two sets. It is never removed automatically.
  """
  found = _entries(final_dir, lambda n: n.startswith('.replaced-'))
  if found:
    logging.warning(
        'Found %d folder(s) left by a run killed while publishing into %s: '
        '%s. They hold files of the output it was replacing, so the files '
        'in %s may mix two runs: check them, rerun the tool with '
        '--overwrite to replace the whole set, then delete these folders.',
        len(found), final_dir, ', '.join(found), final_dir)
  return found


def _move_order(name: str):
  """Checkpoint data, its index, other files, then metadata (it points at
  the rest, so its presence means the set is complete)."""
  return ('meta_data' in name or name.endswith('.yaml'),
          '.data-' not in name, not name.endswith('.index'), name)


class Stage:
  """A staging folder (`path`) for the files of `final_dir`."""

  def __init__(self, final_dir: str, path: str, patterns: Sequence[str],
               overwrite: bool):
    self.final_dir = final_dir
    self.path = path
    self._patterns = patterns
    self._overwrite = overwrite
    self._handed_out = set()

  def staged_path(self, final_path: str) -> str:
    """Where to write the file that will end up at `final_path` (a path
    inside `final_dir`, or a bare file name). `publish` requires it to
    exist then (as a file, or as a checkpoint prefix: `<name>.index`)."""
    name = os.path.basename(final_path.rstrip('/'))
    self._handed_out.add(name)
    return _join(self.path, name)

  def _missing(self, names: Sequence[str]) -> List[str]:
    """Handed-out names with neither a staged file nor checkpoint index."""
    present = set(names)
    return sorted(n for n in self._handed_out
                  if n not in present and f'{n}.index' not in present)

  def publish(self) -> List[str]:
    """Moves the staged files into `final_dir`; returns their final paths.

    Raises:
      OutputExistsError: a member of the set is already there and the stage
        was not made with `overwrite` (then nothing is moved).
      RuntimeError: a file handed out by `staged_path` is missing from the
        staging folder (then nothing is moved).
    """
    names = sorted((n.rstrip('/') for n in tf.io.gfile.listdir(self.path)),
                   key=_move_order)
    missing = self._missing(names)
    if missing:
      raise RuntimeError(
          f'Not published: {", ".join(missing)} of {self.final_dir} '
          f'vanished from the staging folder {self.path} before publishing '
          '(was it removed by another process?); nothing was published. '
          'Run the tool again.')
    if not tf.io.gfile.exists(self.final_dir):
      tf.io.gfile.rename(self.path, self.final_dir)
      return [_join(self.final_dir, n) for n in names]
    old = existing_members(self.final_dir, (*self._patterns, *names))
    refuse_existing(old, self._overwrite)
    aside = _join(self.final_dir, f'.replaced-{uuid.uuid4().hex[:8]}')
    moved_aside, moved_in = [], []
    try:
      if old:
        tf.io.gfile.makedirs(aside)
      for path in sorted(old, key=lambda p: not _move_order(p)[0]):
        tf.io.gfile.rename(path, _join(aside, os.path.basename(path)))
        moved_aside.append(path)
      for name in names:
        tf.io.gfile.rename(_join(self.path, name),
                           _join(self.final_dir, name))
        moved_in.append(name)
    except BaseException:
      for name in reversed(moved_in):
        tf.io.gfile.rename(_join(self.final_dir, name), _join(self.path, name))
      for path in reversed(moved_aside):
        tf.io.gfile.rename(_join(aside, os.path.basename(path)), path)
      if old:
        tf.io.gfile.rmtree(aside)  # Empty again: every old file is back.
      raise
    if old:
      tf.io.gfile.rmtree(aside)
    return [_join(self.final_dir, n) for n in names]


def write_text(stage: Stage, final_path: str, text: str) -> None:
  """Writes `text` into the stage as the file of `final_path`."""
  with tf.io.gfile.GFile(stage.staged_path(final_path), 'w') as f:
    f.write(text)


# Reading a finite dataset with `for record in dataset` ends on an
# OutOfRangeError, and TensorFlow logs "Local rendezvous is aborting with
# status: OUT_OF_RANGE: End of sequence" each time, which reads as a failure.
# `Dataset.reduce` and `get_next_as_optional` reach the end without an error.


def count_records(path: str) -> int:
  """Returns the number of records in a TFRecord file, reading all of it.

  Raises:
    tf.errors.DataLossError: the file is truncated or corrupt.
  """
  return int(tf.data.TFRecordDataset(path).reduce(
      tf.constant(0, tf.int64), lambda count, _: count + 1))


def read_records(path: str) -> Iterator[tf.Tensor]:
  """Yields each record of a TFRecord file: a scalar tf.string tensor.

  Raises:
    tf.errors.DataLossError: the file is truncated or corrupt.
  """
  iterator = iter(tf.data.TFRecordDataset(path))
  while True:
    record = iterator.get_next_as_optional()
    if not record.has_value():
      return
    yield record.get_value()


def verify_tfrecord(path: str, expected_count: int,
                    name: Optional[str] = None) -> None:
  """Raises ValueError unless `path` reads back `expected_count` records."""
  count = count_records(path)
  if count != expected_count:
    raise ValueError(f'{name or path} reads back {count} records, but '
                     f'{expected_count} were written; nothing was kept.')
