"""Write a set of files to a hidden staging folder, then publish them.

Tools write everything into `stage`, verify it, and only then call
`publish`: nothing appears at the output until it is complete and checked,
and a failure or Ctrl-C before that leaves no output files.

- A new output folder appears at once: the staging folder (a sibling) is
  renamed to it, one atomic step.
- Into an existing folder (staged in a hidden subfolder of it) the files
  are moved one by one after checking that none of them exists yet
  (existing outputs are never overwritten); a failed move takes back the
  ones already moved.
"""
import contextlib
import os
import shutil
import tempfile
from typing import Iterator, List


class OutputExistsError(ValueError):
  """An output file is already there; the tool refuses to overwrite it."""


def refuse_existing(paths: List[str]) -> None:
  """Raises OutputExistsError naming every path of `paths` that exists."""
  existing = [p for p in paths if os.path.lexists(p)]
  if existing:
    raise OutputExistsError(
        f'Output already exists: {", ".join(existing)}. Remove it or choose '
        'another output path; nothing was written.')


def _move_order(name: str):
  """TF checkpoint data, then its index, then files that point at them."""
  return ('.data-' not in name, not name.endswith('.index'), name)


def _publish_into_existing(stage: str, final_dir: str) -> List[str]:
  names = sorted(os.listdir(stage), key=_move_order)
  refuse_existing([os.path.join(final_dir, n) for n in names])
  moved = []
  try:
    for name in names:
      os.rename(os.path.join(stage, name), os.path.join(final_dir, name))
      moved.append(name)
  except BaseException:
    for name in moved:
      os.rename(os.path.join(final_dir, name), os.path.join(stage, name))
    raise
  return [os.path.join(final_dir, n) for n in names]


@contextlib.contextmanager
def staged(final_dir: str) -> Iterator['Stage']:
  """Yields a `Stage` for `final_dir`; its folder is removed on exit.

  Args:
    final_dir: the folder the files belong in (created on publish).
  """
  final_dir = os.path.abspath(final_dir)
  # Inside an existing folder (a hidden subfolder), else beside it, so the
  # final renames never cross a file system.
  parent = (final_dir if os.path.isdir(final_dir) else
            os.path.dirname(final_dir))
  os.makedirs(parent, exist_ok=True)
  stage = Stage(final_dir, tempfile.mkdtemp(
      prefix=f'.{os.path.basename(final_dir)}.partial-', dir=parent))
  umask = os.umask(0)
  os.umask(umask)
  os.chmod(stage.path, 0o777 & ~umask)  # mkdtemp's 0700 -> a normal folder.
  try:
    yield stage
  finally:
    shutil.rmtree(stage.path, ignore_errors=True)


class Stage:
  """A staging folder (`path`) for the files of `final_dir`."""

  def __init__(self, final_dir: str, path: str):
    self.final_dir = final_dir
    self.path = path

  def staged_path(self, final_path: str) -> str:
    """Where to write the file that will end up at `final_path`."""
    return os.path.join(self.path, os.path.relpath(
        os.path.abspath(final_path), self.final_dir))

  def publish(self) -> List[str]:
    """Moves the staged files into `final_dir`; returns their final paths.

    Raises:
      OutputExistsError: a file of the set is already there (then nothing
        is moved).
    """
    if not os.path.exists(self.final_dir):
      names = sorted(os.listdir(self.path))
      os.rename(self.path, self.final_dir)
      return [os.path.join(self.final_dir, n) for n in names]
    return _publish_into_existing(self.path, self.final_dir)
