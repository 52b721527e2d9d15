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

"""Checks an experiment's input files before training starts.

Model Garden reports an empty `input_path` as a TFDS problem and an empty
TFRecord as an `OutOfRangeError` deep inside the training loop.
`check_input_paths` names the config key, the file and the fix instead.
"""
from typing import Dict
from typing import List

from absl import logging
import tensorflow as tf

from official.core import config_definitions as cfg

# Model Garden's NLP tasks generate synthetic batches for this path.
_DUMMY_PATH = 'dummy'


def _data_keys(mode: str) -> List[str]:
  """The `task.<key>` data configs that `mode` reads."""
  keys = []
  if 'train' in mode:
    keys.append('train_data')
  if 'eval' in mode:
    keys.append('validation_data')
  return keys


def _patterns(input_path) -> List[str]:
  """A comma-separated string or a list of paths / globs, as a list.

  A `Config` of named sources (Model Garden's multi-source input) gives the
  paths of all sources.
  """
  if isinstance(input_path, str):
    return [p for p in input_path.split(',') if p]
  if hasattr(input_path, 'as_dict'):
    return [p for v in input_path.as_dict().values() for p in _patterns(v)]
  return [p for p in input_path if p]


def _has_a_record(path: str) -> bool:
  """Whether the (uncompressed) TFRecord file holds any byte.

  train.py checks before the distribution strategy exists, and running a
  TensorFlow op first would break `multi_worker_mirrored` and TPU start-up,
  so this reads bytes instead of records. Model Garden's data configs read
  uncompressed TFRecords only.
  """
  with tf.io.gfile.GFile(path, 'rb') as f:
    return bool(f.read(1))


def _check_one(key: str, data: cfg.DataConfig) -> List[str]:
  """Checks `task.<key>` = `data`; returns its TFRecord files with records.

  Raises:
    ValueError: naming the key and the fix.
  """
  if data.tfds_name:
    return []
  patterns = _patterns(data.input_path)
  fix = f'--params_override=task.{key}.input_path=<file or glob>'
  if not patterns:
    raise ValueError(
        f'task.{key}.input_path is empty: set it to the TFRecord file(s) '
        f'to read, e.g. {fix} (a TODO in the YAML marks it).')
  if patterns == [_DUMMY_PATH] or getattr(data, 'file_type',
                                         'tfrecord') != 'tfrecord':
    return []
  files = []
  for pattern in patterns:
    matched = tf.io.gfile.glob(pattern)
    if not matched:
      raise ValueError(f'task.{key}.input_path: {pattern!r} matches no '
                       f'file. Check the path, or set it with {fix}.')
    files.extend(matched)
  empty = [f for f in files if not _has_a_record(f)]
  if len(empty) == len(files):
    raise ValueError(
        f'task.{key}.input_path: {", ".join(files)} hold(s) no record. '
        'Regenerate the file(s) (the tokenizer tool reports how many '
        f'examples it wrote) or point {fix} at non-empty ones.')
  if empty:
    logging.warning('task.%s.input_path: %d of %d files hold no record: %s',
                    key, len(empty), len(files), ', '.join(empty))
  return [f for f in files if f not in empty]


def check_input_paths(params: cfg.ExperimentConfig,
                      mode: str) -> Dict[str, List[str]]:
  """Raises ValueError if a data config that `mode` reads has no records.

  Args:
    params: the experiment config; `task.train_data` and
      `task.validation_data` are checked when `mode` trains / evaluates.
    mode: train.py's `--mode`.

  Returns:
    `task.<key>` -> its TFRecord files that hold records, for each data
    config `mode` reads (none for `dummy` or TFDS data).

  Raises:
    ValueError: an empty `input_path`, a pattern matching no file, or files
      holding no record; the message names the config key and the fix.
  """
  files = {}
  for key in _data_keys(mode):
    data = getattr(params.task, key, None)
    if data is not None:
      files[key] = _check_one(key, data)
  return files
