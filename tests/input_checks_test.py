"""Tests for longformer/input_checks.py beyond train_test.py's entry-point
cases (empty input_path, empty TFRecord): globs, shards, eval modes."""
import os
import re

import tensorflow as tf

from official.core import exp_factory
from longformer.training import input_checks


def _params(train_path, eval_path='dummy'):
  params = exp_factory.get_exp_config('longformer/glue')
  params.task.train_data.input_path = train_path
  params.task.validation_data.input_path = eval_path
  return params


def _write(path, records):
  with tf.io.TFRecordWriter(path) as writer:
    for record in records:
      writer.write(record)
  return path


class InputChecksTest(tf.test.TestCase):

  def test_pattern_matching_no_file_names_key_and_pattern(self):
    pattern = os.path.join(self.get_temp_dir(), 'missing-*.tf_record')
    with self.assertRaisesRegex(ValueError, re.escape(
        f"task.train_data.input_path: '{pattern}' matches no file")):
      input_checks.check_input_paths(_params(pattern), 'train')

  def test_one_empty_shard_among_full_ones_is_accepted(self):
    empty = _write(os.path.join(self.get_temp_dir(), 's-0'), [])
    _write(os.path.join(self.get_temp_dir(), 's-1'), [b'x'])
    params = _params(os.path.join(self.get_temp_dir(), 's-*') + ',' + empty)
    input_checks.check_input_paths(params, 'train')

  def test_eval_mode_checks_only_validation_data(self):
    params = _params('', eval_path='')
    with self.assertRaisesRegex(ValueError,
                                'task.validation_data.input_path is empty'):
      input_checks.check_input_paths(params, 'continuous_eval')
    params.task.validation_data.input_path = 'dummy'
    input_checks.check_input_paths(params, 'eval')  # train_data unused


if __name__ == '__main__':
  tf.test.main()
