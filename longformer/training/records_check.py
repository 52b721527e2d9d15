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

"""Checks that an experiment's config fits the records it will read.

The data tools write what their records need next to them:
`utils/longformer_tokenizer_to_tfrecord.py` writes `<task>_meta_data.json`,
`utils/squad_to_tfrecord.py` writes `meta_data.json`, each with
`max_seq_length` and (documents, SQuAD) `global_tokens` and
`global_attention_size`, and the path of every split under `splits`.
A config that does not fit fails late and unclearly: another
`seq_length` as `Can't parse serialized Example`, `global_tokens: first` on
records marking global tokens with `input_mask` 2 as an assertion at step 1.
`check_records_fit` refuses such a config before training, naming the
setting and the fix, from the metadata and from each file's first record
(so records copied without their metadata are checked too).

Only bytes are read (no TensorFlow op runs: train.py checks before its
distribution strategy exists).
"""
import json
import os
import struct
from typing import Any
from typing import Dict
from typing import Iterable
from typing import Optional

import tensorflow as tf

from official.core import config_definitions as cfg

# Token-aligned int64 features of the data tools' records, by any name Model
# Garden's dataloaders read.
_TOKEN_FEATURES = ('input_ids', 'input_word_ids', 'input_mask', 'segment_ids',
                   'input_type_ids')
# `input_mask` value of a global token in records for `global_tokens: marked`.
_GLOBAL_MASK_VALUE = 2
_METADATA_SUFFIX = 'meta_data.json'


def _first_record(path: str) -> Optional[bytes]:
  """The first record of an uncompressed TFRecord file; None if empty.

  Raises:
    ValueError: the first header claims more bytes than the file holds:
      not a TFRecord file (reading that many would crash the process).
  """
  with tf.io.gfile.GFile(path, 'rb') as f:
    header = f.read(12)  # uint64 length, uint32 masked crc of the length
    if len(header) < 12:
      return None
    (length,) = struct.unpack('<Q', header[:8])
    size = tf.io.gfile.stat(path).length
    if 12 + length + 4 > size:  # header, data, uint32 masked crc of data
      raise ValueError(
          f'{path} is not a TFRecord file: its first record header claims '
          f'{length} bytes but the file has {size}. Point input_path at the '
          "data tools' .tf_record files (e.g. not a JSON or text file).")
    return f.read(length)


def _metadata_for(path: str) -> Optional[Dict[str, Any]]:
  """The data tool's metadata beside `path` that lists it as a split."""
  directory, name = os.path.split(path)
  for candidate in sorted(tf.io.gfile.glob(
      os.path.join(directory, '*' + _METADATA_SUFFIX))):
    try:
      with tf.io.gfile.GFile(candidate) as f:
        metadata = json.load(f)
    except ValueError:
      continue
    splits = metadata.get('splits') if isinstance(metadata, dict) else None
    for split in (splits or {}).values():
      if (isinstance(split, dict) and
          os.path.basename(str(split.get('path', ''))) == name):
        return dict(metadata, metadata_path=candidate)
  return None


def _encoder(params: cfg.ExperimentConfig) -> Any:
  """The task's encoder config, or None if it has no Longformer encoder."""
  encoder = getattr(getattr(params.task, 'model', None), 'encoder', None)
  encoder = encoder.get() if hasattr(encoder, 'get') else encoder
  return encoder if hasattr(encoder, 'global_tokens') else None


def _check_length(key: str, data: cfg.DataConfig, source: str,
                  length: int) -> None:
  seq_length = getattr(data, 'seq_length', None)
  if seq_length is not None and seq_length != length:
    raise ValueError(
        f'task.{key}.seq_length={seq_length}, but {source} holds '
        f'{length}-token records: they cannot be read at {seq_length}. Set '
        f'--params_override=task.{key}.seq_length={length} (and the other '
        'data configs alike), or regenerate the records with '
        f'--max_seq_length={seq_length}.')


def _check_globals(source: str, encoder: Any, global_tokens: str,
                   needed: int) -> None:
  """The encoder must use the records' convention and size."""
  name = 'task.model.encoder.any'
  fix = (f'Set {name}.global_tokens={global_tokens} and '
         f'{name}.global_attention_size>={needed} (e.g. with '
         '--params_override or a later --config_file).')
  if encoder.global_tokens != global_tokens:
    raise ValueError(
        f'{source} needs global_tokens={global_tokens!r} (global '
        f'attention on up to {needed} token(s)), but {name}.global_tokens='
        f'{encoder.global_tokens!r}. {fix}')
  if encoder.global_attention_size < needed:
    raise ValueError(
        f'{source} marks up to {needed} global token(s), but '
        f'{name}.global_attention_size={encoder.global_attention_size}. '
        f'{fix}')


def _check_file(key: str, data: cfg.DataConfig, path: str,
                encoder: Any) -> None:
  """Checks one file against its metadata and its first record."""
  metadata = _metadata_for(path)
  if metadata:
    source = f'{path} (per {metadata["metadata_path"]})'
    if isinstance(metadata.get('max_seq_length'), int):
      _check_length(key, data, source, metadata['max_seq_length'])
    if encoder is not None and metadata.get('global_tokens'):
      _check_globals(source, encoder, metadata['global_tokens'],
                     int(metadata.get('global_attention_size') or 0))
  record = _first_record(path)
  if record is None:
    return
  try:
    features = tf.train.Example.FromString(record).features.feature
  except Exception:  # pylint: disable=broad-except
    return  # not a tf.train.Example: Model Garden's reader reports it
  for name in _TOKEN_FEATURES:
    if name in features:
      _check_length(key, data, f'{path} (feature {name})',
                    len(features[name].int64_list.value))
  mask = features['input_mask'].int64_list.value if (
      'input_mask' in features) else []
  marked = sum(1 for v in mask if v == _GLOBAL_MASK_VALUE)
  if encoder is not None and marked:
    _check_globals(f'{path} (input_mask {_GLOBAL_MASK_VALUE} on {marked} '
                   'tokens of its first record)', encoder, 'marked', marked)


def check_records_fit(params: cfg.ExperimentConfig,
                      files_by_key: Dict[str, Iterable[str]]) -> None:
  """Raises ValueError if the config does not fit the records it reads.

  Args:
    params: the experiment config.
    files_by_key: `task.<key>` -> the TFRecord files it reads, as
      `input_checks.check_input_paths` returns them.

  Raises:
    ValueError: naming the setting, its value, what the records need and
      the fix.
  """
  encoder = _encoder(params)
  for key, files in files_by_key.items():
    data = getattr(params.task, key)
    for path in files:
      _check_file(key, data, path, encoder)
