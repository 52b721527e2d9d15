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

"""The one output rule: nothing until publish; --overwrite replaces the set.

Failures are injected into `tf.io.gfile.rename` at every rename a publish
makes, and the folder must then hold exactly the previous set; a process
killed (SIGKILL) before publishing leaves no output file.
"""
import logging
import os
import signal
import socket
import subprocess
import sys
from unittest import mock

import pytest
import tensorflow as tf

from longformer.files import process_owner
from longformer.files import staged_output

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _write(stage, final_path, text):
  with open(stage.staged_path(final_path), 'w') as f:
    f.write(text)


def _contents(directory):
  """{name: text} of every entry, hidden ones included ('a dir' for dirs)."""
  result = {}
  for name in os.listdir(directory):
    path = os.path.join(directory, name)
    result[name] = open(path).read() if os.path.isfile(path) else 'a dir'
  return result


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


def test_existing_member_is_refused_without_overwrite(tmp_path):
  (tmp_path / 'b').write_text('old')
  (tmp_path / 'old_split.tf_record').write_text('old split')
  with staged_output.staged(str(tmp_path), ['*.tf_record']) as stage:
    _write(stage, str(tmp_path / 'a'), 'new a')
    _write(stage, str(tmp_path / 'b'), 'new b')
    with pytest.raises(staged_output.OutputExistsError,
                       match='b, .*old_split.tf_record. Pass --overwrite'):
      stage.publish()
  assert _contents(tmp_path) == {'b': 'old', 'old_split.tf_record': 'old split'}
  with pytest.raises(staged_output.OutputExistsError, match='--overwrite'):
    staged_output.check_output(str(tmp_path), ['*.tf_record'], False)


def test_overwrite_replaces_the_whole_set_and_keeps_other_files(tmp_path):
  (tmp_path / 'eval.tf_record').write_text('stale eval')
  (tmp_path / 'train.tf_record').write_text('old train')
  (tmp_path / 'meta_data.json').write_text('old meta')
  (tmp_path / 'notes.txt').write_text('user file')
  staged_output.check_output(str(tmp_path), ['*.tf_record'], True)
  with staged_output.staged(str(tmp_path), ['*.tf_record', 'meta_data.json'],
                            overwrite=True) as stage:
    _write(stage, 'train.tf_record', 'new train')
    _write(stage, 'meta_data.json', 'new meta')
    stage.publish()
  assert _contents(tmp_path) == {'train.tf_record': 'new train',
                                 'meta_data.json': 'new meta',
                                 'notes.txt': 'user file'}


class _FailingRename:
  """Calls the real rename, except that call number `fail_at` raises."""

  def __init__(self, fail_at):
    self.fail_at = fail_at
    self.calls = 0
    self._rename = tf.io.gfile.rename

  def __call__(self, *args, **kwargs):
    self.calls += 1
    if self.calls == self.fail_at:
      raise OSError(f'injected failure at rename {self.calls}')
    return self._rename(*args, **kwargs)


@pytest.mark.parametrize('fail_at', [1, 2, 3, 4, 5])
def test_failed_overwrite_at_any_rename_restores_the_old_set(tmp_path,
                                                             fail_at):
  old = {'a.tf_record': 'old a', 'stale.tf_record': 'old stale',
         'meta_data.json': 'old meta'}
  for name, text in old.items():
    (tmp_path / name).write_text(text)
  failing = _FailingRename(fail_at)
  with mock.patch.object(tf.io.gfile, 'rename', failing):
    with pytest.raises(OSError, match='injected'):
      with staged_output.staged(str(tmp_path), ['*.tf_record'],
                                overwrite=True) as stage:
        _write(stage, 'a.tf_record', 'new a')
        _write(stage, 'meta_data.json', 'new meta')
        stage.publish()
  assert failing.calls >= fail_at
  assert _contents(tmp_path) == old  # No staging or backup folder left.


def test_squad_tool_killed_mid_write_leaves_no_output_file(
    tmp_path, tiny_tokenizer_dir):
  """SIGKILL while the SQuAD tool writes its eval split: no output appears
  (the old tool left `train.tf_record.incomplete` in --output_dir)."""
  final_dir = tmp_path / 'out'
  code = (
      'import json, os, signal\n'
      'from unittest import mock\n'
      'from longformer.data import squad, squad_records\n'
      'import squad_to_tfrecord_test as data\n'
      f'path = {str(tmp_path / "squad.json")!r}\n'
      'json.dump(data.squad_json(), open(path, "w"))\n'
      'kill = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n'
      'with mock.patch.object(squad, "eval_record", side_effect=kill):\n'
      '  squad_records.convert({"train": path, "eval": path}, '
      f'{tiny_tokenizer_dir!r}, {str(final_dir)!r}, dict(max_seq_length=40, '
      'doc_stride=6, max_query_length=12, version_2_with_negative=False, '
      'log_every=100))\n')
  env = dict(os.environ, PYTHONPATH=os.pathsep.join(
      [_REPO, os.path.join(_REPO, 'tests')]), CUDA_VISIBLE_DEVICES='')
  result = subprocess.run([sys.executable, '-c', code], cwd=_REPO, env=env,
                          capture_output=True, text=True, timeout=300,
                          check=False)
  assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
  assert not final_dir.exists()
  hidden = [n for n in os.listdir(tmp_path) if n != 'squad.json']
  assert len(hidden) == 1 and hidden[0].startswith('.out.partial-'), hidden
  # The train split was already staged when the kill came.
  assert 'train.tf_record' in os.listdir(tmp_path / hidden[0])
  # The next run writing there removes it: its process no longer runs.
  with staged_output.staged(str(final_dir)):
    assert not (tmp_path / hidden[0]).exists()


def _dead_pid():
  """The pid of a process that has ended (reused only after a wrap-around)."""
  process = subprocess.Popen(['true'])
  process.wait()
  return process.pid


def _owned(tag, pid, host=None, pid_ns=None, boot_id=None):
  """A staging folder name ending in an owner record (default: this
  process's host, pid namespace and boot)."""
  here = process_owner.current()
  return (f'{tag}-{pid}@{host or here["host"]}~ns'
          f'{pid_ns or here.get("pid_ns", "")}~boot'
          f'{boot_id or here.get("boot_id", "")}')


def test_staging_removes_partials_of_provably_ended_runs_only(tmp_path,
                                                              caplog):
  final_dir = tmp_path / 'out'
  final_dir.mkdir()
  host = socket.gethostname()
  dead, live = _dead_pid(), os.getpid()
  stale = [final_dir / _owned('.partial-0123abcd', dead),
           tmp_path / _owned('.out.partial-4567abcd', dead)]
  running = [final_dir / _owned('.partial-89abcdef', live)]
  unknown = [
      # Another container sharing this hostname: its pid is not ours.
      tmp_path / _owned('.out.partial-0123abcd', dead, pid_ns=1),
      # This host before a reboot, or another machine of the same name.
      final_dir / _owned('.partial-1123abcd', dead, boot_id='0' * 8),
      tmp_path / _owned('.out.partial-2123abcd', dead, host='other-host'),
      final_dir / f'.partial-3123abcd-{dead}@{host}',  # an older name
      final_dir / '.partial-4123abcd']  # no owner recorded
  not_ours = [tmp_path / _owned('.out2.partial-0123abcd', dead)]
  for folder in stale + running + unknown + not_ours:
    folder.mkdir()
    (folder / 'train.tf_record').write_text('half')
  with caplog.at_level(logging.WARNING):
    with staged_output.staged(str(final_dir)) as stage:
      _write(stage, str(final_dir / 'a'), 'a')
      stage.publish()
  assert [f for f in stale if f.exists()] == []
  kept = running + unknown + not_ours
  assert [f for f in kept if not f.exists()] == []
  messages = [r.getMessage() for r in caplog.records]
  assert [m for m in messages if m.startswith('Removed')] == [
      f'Removed 2 staging folder(s) left by runs that no longer run: '
      f'{stale[0]}, {stale[1]}']
  assert f'Left 1 staging folder(s) of runs still running: {running[0]}.' in (
      messages)
  reported = [m for m in messages if 'cannot be checked from here' in m]
  assert len(reported) == 1, messages
  assert reported[0].startswith('Left 5 staging folder(s)'), reported
  assert all(str(f) in reported[0] for f in unknown), reported
  assert f'Delete them if no run is writing {final_dir}' in reported[0]
  assert _contents(final_dir)['a'] == 'a'


def test_remote_partials_are_reported_never_removed(caplog):
  dead = _dead_pid()
  name = _owned('.partial-0123abcd', dead)
  listed = {'gs://bucket/out': [name + '/'], 'gs://bucket': ['out/']}
  with mock.patch.object(tf.io.gfile, 'isdir', lambda p: p in listed), \
       mock.patch.object(tf.io.gfile, 'listdir', lambda p: listed[p]), \
       mock.patch.object(tf.io.gfile, 'rmtree') as rmtree, \
       caplog.at_level(logging.WARNING):
    assert staged_output.remove_stale_partials('gs://bucket/out') == []
  rmtree.assert_not_called()
  assert any(f'gs://bucket/out/{name}' in r.getMessage() and
             'cannot be checked' in r.getMessage() for r in caplog.records)


def test_publish_refuses_when_a_staged_file_vanished(tmp_path):
  final_dir = tmp_path / 'out'
  for exists in (False, True):
    if exists:
      final_dir.mkdir()
    with staged_output.staged(str(final_dir)) as stage:
      _write(stage, 'a', 'a')
      _write(stage, 'b', 'b')
      os.remove(stage.staged_path('b'))  # e.g. a misjudged cleanup
      with pytest.raises(RuntimeError, match=r'Not published: b of .*out '
                         r'vanished from the staging folder'):
        stage.publish()
    assert os.listdir(tmp_path) == (['out'] if exists else [])
    assert not exists or os.listdir(final_dir) == []


def test_publish_accepts_a_checkpoint_prefix(tmp_path):
  final_dir = tmp_path / 'out'
  with staged_output.staged(str(final_dir)) as stage:
    prefix = stage.staged_path('model')
    tf.train.Checkpoint(v=tf.Variable(1.0)).write(prefix)
    stage.publish()
  assert 'model.index' in os.listdir(final_dir)


def test_gs_paths_are_joined_as_urls():
  # Every operation goes through tf.io.gfile; no os.path on a gs:// path.
  stage = staged_output.Stage('gs://bucket/out', 'gs://bucket/out/.partial-x',
                              (), False)
  assert stage.staged_path('gs://bucket/out/train.tf_record') == (
      'gs://bucket/out/.partial-x/train.tf_record')


def test_a_publish_killed_midway_is_reported_by_the_next_run(tmp_path,
                                                             caplog):
  """A kill between moving the old set aside and deleting it leaves a
  `.replaced-*` folder; the next run says so and leaves it in place."""
  final_dir = tmp_path / 'out'
  final_dir.mkdir()
  (final_dir / 'a').write_text('new')
  aside = final_dir / '.replaced-0123abcd'
  aside.mkdir()
  (aside / 'a').write_text('old')
  with caplog.at_level(logging.WARNING):
    with staged_output.staged(str(final_dir), overwrite=True) as stage:
      _write(stage, str(final_dir / 'a'), 'newer')
      stage.publish()
  messages = [r.getMessage() for r in caplog.records
              if 'killed while publishing' in r.getMessage()]
  assert len(messages) == 1, messages
  assert str(aside) in messages[0] and 'may mix two runs' in messages[0]
  assert (aside / 'a').read_text() == 'old'
  assert _contents(final_dir)['a'] == 'newer'
