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

"""Tokenized examples -> Model Garden sentence-prediction `tf.train.Example`s.

Model Garden's `SentencePredictionDataLoader` reads these features, each
`max_seq_length` long unless noted:
  input_ids: int64, token ids padded with the tokenizer's pad id.
  input_mask: int64, 1 = real token, 0 = pad.
  segment_ids: int64, token type ids (all 0 for RoBERTa/Longformer).
  label_ids: scalar; int64 class index, or float32 for a regression task
    such as stsb (the loader's `label_type: float`).
  example_id: scalar int64, the row's position in its split (read when the
    loader's `include_example_id` is set).

GLUE pairs (`glue.py`) and single long documents (`documents.py`) both end
here, so `longformer/glue` trains on either.
"""
import time
from typing import Dict
from typing import Iterable
from typing import NamedTuple
from typing import Optional
from typing import Sequence
from typing import Union

from absl import logging
import tensorflow as tf


class Encoded(NamedTuple):
  """One tokenized example, before padding.

  Attributes:
    input_ids: token ids with special tokens, at most `max_seq_length`.
    segment_ids: token type ids, as long as `input_ids`.
    label: class index (int) or regression score (float).
    num_cut_tokens: tokens dropped by truncation (0 if it fitted).
    example_id: the row's position in its split; None: the example's
      position among the written ones.
  """
  input_ids: Sequence[int]
  segment_ids: Sequence[int]
  label: Union[int, float]
  num_cut_tokens: int
  example_id: Optional[int] = None


def make_example(input_ids: Sequence[int], segment_ids: Sequence[int],
                 label: Union[int, float], example_id: int,
                 max_seq_length: int, pad_token_id: int) -> tf.train.Example:
  """Pads one tokenized example and packs it under Model Garden's names.

  Args:
    input_ids: token ids with special tokens, at most `max_seq_length`.
    segment_ids: token type ids, as long as `input_ids`.
    label: class index (int) or regression score (float).
    example_id: the row's position in its split.
    max_seq_length: the padded length.
    pad_token_id: the id that fills `input_ids` past the real tokens.

  Returns:
    The `tf.train.Example` described in the module docstring.

  Raises:
    ValueError: the ids are too long or the two id lists differ in length.
  """
  length = len(input_ids)
  if length > max_seq_length:
    raise ValueError(f'example {example_id} has {length} tokens, more than '
                     f'max_seq_length={max_seq_length}; truncate it first.')
  if len(segment_ids) != length:
    raise ValueError(f'example {example_id}: {len(segment_ids)} segment_ids '
                     f'for {length} input_ids; they must match.')
  padding = max_seq_length - length
  if isinstance(label, float):
    label_feature = tf.train.Feature(float_list=tf.train.FloatList(
        value=[label]))
  else:
    label_feature = int64_feature([label])
  return tf.train.Example(features=tf.train.Features(feature={
      'input_ids': int64_feature(
          list(input_ids) + [pad_token_id] * padding),
      'input_mask': int64_feature([1] * length + [0] * padding),
      'segment_ids': int64_feature(list(segment_ids) + [0] * padding),
      'label_ids': label_feature,
      'example_id': int64_feature([example_id]),
  }))


def int64_feature(values: Sequence[int]) -> tf.train.Feature:
  """Returns an int64 `tf.train.Feature` holding `values`."""
  return tf.train.Feature(int64_list=tf.train.Int64List(value=values))


def write_examples(path: str, examples: Iterable[Encoded],
                   max_seq_length: int, pad_token_id: int, name: str,
                   log_every: int) -> Dict[str, int]:
  """Writes examples to one TFRecord file, logging progress.

  Args:
    path: the TFRecord file to write.
    examples: the examples, in order; their position is the example_id.
    max_seq_length: the padded length.
    pad_token_id: the id that fills `input_ids` past the real tokens.
    name: what is written, for the log, e.g. 'mnli train'.
    log_every: log progress every this many examples.

  Returns:
    {'num_examples', 'num_truncated' (examples cut to fit),
     'num_cut_tokens' (tokens dropped, all examples together)}.
  """
  stats = dict(num_examples=0, num_truncated=0, num_cut_tokens=0)
  start = time.time()
  with tf.io.TFRecordWriter(path) as writer:
    for example in examples:
      writer.write(make_example(
          example.input_ids, example.segment_ids, example.label,
          stats['num_examples'] if example.example_id is None
          else example.example_id, max_seq_length,
          pad_token_id).SerializeToString())
      stats['num_examples'] += 1
      stats['num_truncated'] += example.num_cut_tokens > 0
      stats['num_cut_tokens'] += example.num_cut_tokens
      if stats['num_examples'] % log_every == 0:
        logging.info('%s: %d examples (%d truncated), %.0f examples/s', name,
                     stats['num_examples'], stats['num_truncated'],
                     stats['num_examples'] / (time.time() - start))
  logging.info('%s: wrote %d examples, %d of them truncated to %d tokens '
               '(%d tokens cut).', name, stats['num_examples'],
               stats['num_truncated'], max_seq_length,
               stats['num_cut_tokens'])
  return stats
