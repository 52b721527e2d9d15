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

"""Tests for longformer/training/input_checks.py and records_check.py beyond
train_test.py's entry-point cases (empty input_path, empty TFRecord, records
of another length): globs, shards, eval modes, the data tools' metadata and
global-token conventions."""
import json
import os
import re

import tensorflow as tf

from official.core import exp_factory
from longformer.training import input_checks
from longformer.training import records_check


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


def _example(length, mask_values=(1,)):
  """A serialized glue-style example of `length` tokens."""
  def ints(values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
  mask = [mask_values[i % len(mask_values)] for i in range(length)]
  return tf.train.Example(features=tf.train.Features(feature={
      'input_ids': ints([5] * length), 'input_mask': ints(mask),
      'segment_ids': ints([0] * length), 'label_ids': ints([0]),
  })).SerializeToString()


def _check(params, mode='train'):
  records_check.check_records_fit(
      params, input_checks.check_input_paths(params, mode))


class RecordsCheckTest(tf.test.TestCase):

  def _params(self, seq_length=64, global_tokens='first', global_size=1):
    params = _params(os.path.join(self.get_temp_dir(), 'x_train.tf_record'))
    params.task.train_data.seq_length = seq_length
    encoder = params.task.model.encoder.get()
    encoder.global_tokens = global_tokens
    encoder.global_attention_size = global_size
    return params

  def _write_metadata(self, name='x_meta_data.json', **fields):
    path = os.path.join(self.get_temp_dir(), name)
    fields['splits'] = {'train': {'path': os.path.join(
        '/elsewhere', 'x_train.tf_record')}}
    with open(path, 'w') as f:
      json.dump(fields, f)
    return path

  def test_records_of_another_length_name_the_setting_and_fix(self):
    _write(os.path.join(self.get_temp_dir(), 'x_train.tf_record'),
           [_example(128)])
    with self.assertRaisesRegex(ValueError, re.escape(
        'task.train_data.seq_length=64, but ') + '.*128-token records.*'
        + re.escape('task.train_data.seq_length=128') + '.*'
        + re.escape('--max_seq_length=64')):
      _check(self._params())
    _check(self._params(seq_length=128))

  def test_metadata_length_is_checked(self):
    _write(os.path.join(self.get_temp_dir(), 'x_train.tf_record'),
           [_example(64)])
    path = self._write_metadata(max_seq_length=32)
    with self.assertRaisesRegex(ValueError, f'per {re.escape(path)}.*32'):
      _check(self._params())

  def test_marked_records_refuse_first_naming_the_fields(self):
    """SQuAD-style records: input_mask 2 on <s> and the question."""
    _write(os.path.join(self.get_temp_dir(), 'x_train.tf_record'),
           [_example(64, mask_values=(2, 2, 2, 1))])  # 48 marked
    with self.assertRaisesRegex(
        ValueError, r"needs global_tokens='marked'.*"
        r"task.model.encoder.any.global_tokens='first'.*"
        r'global_tokens=marked and .*global_attention_size>=48'):
      _check(self._params())
    with self.assertRaisesRegex(ValueError, r'marks up to 48 global.*'
                                r'global_attention_size=8'):
      _check(self._params(global_tokens='marked', global_size=8))
    _check(self._params(global_tokens='marked', global_size=48))

  def test_metadata_global_convention_is_checked(self):
    _write(os.path.join(self.get_temp_dir(), 'x_train.tf_record'),
           [_example(64)])
    self._write_metadata(name='meta_data.json', max_seq_length=64,
                         global_tokens='marked', global_attention_size=65)
    with self.assertRaisesRegex(ValueError, 'global_attention_size>=65'):
      _check(self._params())
    _check(self._params(global_tokens='marked', global_size=65))

  def test_a_file_that_is_not_a_tfrecord_is_named_not_crashed_on(self):
    path = os.path.join(self.get_temp_dir(), 'x_train.tf_record')
    with open(path, 'w') as f:  # a JSON line instead of records
      f.write('{"text": "a review that is not a TFRecord"}\n')
    with self.assertRaisesRegex(ValueError, re.escape(
        f'{path} is not a TFRecord file')):
      _check(self._params())

  def test_records_without_metadata_of_the_right_length_pass(self):
    _write(os.path.join(self.get_temp_dir(), 'x_train.tf_record'),
           [_example(64)])
    _check(self._params())


if __name__ == '__main__':
  tf.test.main()
