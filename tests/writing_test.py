"""Tests for `longformer.data.writing`: the output set appears all or nothing.

Failures are injected into `tf.io.gfile.rename` at every rename the swap
makes, and the directory must then hold exactly the previous set.
"""
import os
import tempfile
from unittest import mock

from absl.testing import parameterized
import tensorflow as tf

from longformer.data import writing

_NAMES = {'train': 'task_train.tf_record',
          'validation': 'task_validation.tf_record',
          writing.METADATA_KEY: 'task_meta_data.json'}


def _outputs(directory):
  return {key: os.path.join(directory, name) for key, name in _NAMES.items()}


def _write_set(paths, text):
  for path in paths.values():
    with open(path, 'w') as f:
      f.write(f'{text} {os.path.basename(path)}')


def _contents(directory):
  """{file name: text} of every entry in `directory`, hidden ones included."""
  result = {}
  for name in os.listdir(directory):
    path = os.path.join(directory, name)
    result[name] = open(path).read() if os.path.isfile(path) else 'a dir'
  return result


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


class AtomicOutputSetTest(tf.test.TestCase, parameterized.TestCase):

  def test_new_directory_appears_complete(self):
    directory = os.path.join(self.get_temp_dir(), 'new_out')
    with writing.atomic_output_set(directory, _outputs(directory)) as staged:
      _write_set(staged, 'new')
      self.assertFalse(os.path.exists(directory))
    self.assertEqual(_contents(directory),
                     {name: f'new {name}' for name in _NAMES.values()})

  def test_replaces_an_old_set_and_keeps_other_files(self):
    directory = tempfile.mkdtemp(dir=self.get_temp_dir())
    _write_set(_outputs(directory), 'old')
    with open(os.path.join(directory, 'unrelated.txt'), 'w') as f:
      f.write('mine')
    with writing.atomic_output_set(directory, _outputs(directory)) as staged:
      _write_set(staged, 'new')
    expected = {name: f'new {name}' for name in _NAMES.values()}
    expected['unrelated.txt'] = 'mine'
    self.assertEqual(_contents(directory), expected)

  def test_failure_in_the_block_leaves_the_old_set(self):
    directory = tempfile.mkdtemp(dir=self.get_temp_dir())
    _write_set(_outputs(directory), 'old')
    with self.assertRaisesRegex(ValueError, 'check failed'):
      with writing.atomic_output_set(directory, _outputs(directory)) as staged:
        _write_set(staged, 'new')
        raise ValueError('check failed')
    self.assertEqual(_contents(directory),
                     {name: f'old {name}' for name in _NAMES.values()})

  # 3 old files moved aside, then 3 new files moved in: renames 1..6.
  @parameterized.parameters(1, 2, 3, 4, 5, 6)
  def test_failed_rename_restores_the_old_set(self, fail_at):
    directory = tempfile.mkdtemp(dir=self.get_temp_dir())
    _write_set(_outputs(directory), 'old')
    failing = _FailingRename(fail_at)
    with mock.patch.object(tf.io.gfile, 'rename', failing):
      with self.assertRaisesRegex(OSError, f'injected failure at rename '
                                  f'{fail_at}'):
        with writing.atomic_output_set(directory,
                                       _outputs(directory)) as staged:
          _write_set(staged, 'new')
    self.assertEqual(_contents(directory),
                     {name: f'old {name}' for name in _NAMES.values()})

  def test_failed_rename_of_a_new_directory_leaves_nothing(self):
    parent = tempfile.mkdtemp(dir=self.get_temp_dir())
    directory = os.path.join(parent, 'out')
    with mock.patch.object(tf.io.gfile, 'rename', _FailingRename(1)):
      with self.assertRaisesRegex(OSError, 'injected'):
        with writing.atomic_output_set(directory,
                                       _outputs(directory)) as staged:
          _write_set(staged, 'new')
    self.assertEqual(os.listdir(parent), [])

  def test_metadata_moves_in_last(self):
    directory = tempfile.mkdtemp(dir=self.get_temp_dir())
    _write_set(_outputs(directory), 'old')
    seen = []
    rename = tf.io.gfile.rename

    def recording_rename(source, target, overwrite=False):
      seen.append(os.path.basename(target))
      return rename(source, target, overwrite)

    with mock.patch.object(tf.io.gfile, 'rename', recording_rename):
      with writing.atomic_output_set(directory, _outputs(directory)) as staged:
        _write_set(staged, 'new')
    self.assertEqual(seen[0], 'task_meta_data.json')  # Moved aside first.
    self.assertEqual(seen[-1], 'task_meta_data.json')  # Moved in last.

  def test_output_outside_the_directory_is_refused(self):
    directory = tempfile.mkdtemp(dir=self.get_temp_dir())
    with self.assertRaisesRegex(ValueError, 'must be directly inside'):
      with writing.atomic_output_set(directory, {'a': '/elsewhere/a'}):
        pass


class VerifyTfrecordTest(tf.test.TestCase):

  def test_count_mismatch_and_truncated_file_are_caught(self):
    path = os.path.join(self.get_temp_dir(), 'x.tf_record')
    with tf.io.TFRecordWriter(path) as writer:
      for i in range(3):
        writer.write(b'record %d' % i)
    writing.verify_tfrecord(path, 3)
    with self.assertRaisesRegex(ValueError, 'reads back 3 records, but 4'):
      writing.verify_tfrecord(path, 4)
    with open(path, 'rb') as f:
      data = f.read()
    with open(path, 'wb') as f:
      f.write(data[:-5])
    with self.assertRaises(tf.errors.DataLossError):
      writing.verify_tfrecord(path, 3)


if __name__ == '__main__':
  tf.test.main()
