"""Staged output: nothing at the output until publish; never overwrites."""
import os

import pytest

from longformer.files import staged_output


def _write(stage, final_path, text):
  with open(stage.staged_path(final_path), 'w') as f:
    f.write(text)


def test_new_folder_appears_whole_and_failure_leaves_nothing(tmp_path):
  final_dir = str(tmp_path / 'out')
  with pytest.raises(RuntimeError):
    with staged_output.staged(final_dir) as stage:
      _write(stage, os.path.join(final_dir, 'a'), 'a')
      raise RuntimeError('check failed')
  assert os.listdir(tmp_path) == []  # No output, no staging folder.
  with staged_output.staged(final_dir) as stage:
    _write(stage, os.path.join(final_dir, 'a'), 'a')
    _write(stage, os.path.join(final_dir, 'b'), 'b')
    assert not os.path.exists(final_dir)
    written = stage.publish()
  assert written == [os.path.join(final_dir, n) for n in ('a', 'b')]
  assert os.listdir(tmp_path) == ['out']
  umask = os.umask(0)
  os.umask(umask)
  assert os.stat(final_dir).st_mode & 0o777 == 0o777 & ~umask  # Not 0700.


def test_existing_files_are_never_overwritten(tmp_path):
  (tmp_path / 'b').write_text('old')
  with staged_output.staged(str(tmp_path)) as stage:
    _write(stage, str(tmp_path / 'a'), 'new a')
    _write(stage, str(tmp_path / 'b'), 'new b')
    with pytest.raises(staged_output.OutputExistsError, match='b. Remove'):
      stage.publish()
  assert sorted(os.listdir(tmp_path)) == ['b']  # 'a' was not moved either.
  assert (tmp_path / 'b').read_text() == 'old'
