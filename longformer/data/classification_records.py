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

"""GLUE pairs or long documents -> sentence-prediction TFRecords + metadata.

What `utils/longformer_tokenizer_to_tfrecord.py` runs (its docstring shows
the commands): reads each split (`glue`, `documents`), tokenizes it with the
shared loader (special-token text stays text), writes
`<task>_<split>.tf_record` and `<task>_meta_data.json` staged and read back
(`files.staged_output`), and refuses a split whose tokens are mostly
`<unk>`.
"""
import collections
import itertools
import json
import os

from absl import logging
import tensorflow as tf

from longformer.data import documents
from longformer.data import glue
from longformer.data import sentence_prediction
from longformer.data import skips
from longformer.data import tokenizer as tokenizer_lib
from longformer.files import staged_output


def convert(task_name, input_spec, tokenizer_name, max_seq_length,
            output_dir, splits=None, limit=None, batch_size=1000,
            log_every=10000, text_column=None, label_column=None,
            labels=None, vocab_size=None, overwrite=False):
  """Converts the splits of a task; the CLI's flags are the arguments.

  Returns:
    The metadata dict also written to `<output_dir>/<task>_meta_data.json`.

  Raises:
    ValueError, OSError, ImportError: bad flags or input; `output_dir` is
      left as it was.
  """
  task = _task(task_name, text_column, label_column, labels)
  input_spec = input_spec or _default_input(task)
  splits = splits or list(task.splits)
  _check_args(task, input_spec, splits, max_seq_length=max_seq_length,
              limit=limit, batch_size=batch_size, log_every=log_every)
  patterns = (f'{task.name}_*.tf_record', f'{task.name}_meta_data.json')
  staged_output.check_output(output_dir, patterns, overwrite)
  skipped = {s: skips.SkipCounter() for s in splits}
  sources = {s: _read(task, input_spec, s, skipped[s]) for s in splits}
  tokenizer = tokenizer_lib.load_tokenizer(tokenizer_name, vocab_size)
  if max_seq_length > tokenizer.model_max_length:
    logging.warning('--max_seq_length=%d exceeds the tokenizer\'s '
                    'model_max_length=%d.', max_seq_length,
                    tokenizer.model_max_length)
  outputs = {s: os.path.join(output_dir, f'{task.name}_{s}.tf_record')
             for s in splits}
  with staged_output.staged(output_dir, patterns, overwrite) as stage:
    stats = {}
    for s in splits:
      stats[s] = _write_split(task, sources[s], tokenizer,
                              stage.staged_path(outputs[s]), s,
                              max_seq_length, limit, batch_size, log_every,
                              skipped[s])
    metadata = _metadata(task, input_spec, tokenizer_name, tokenizer,
                         max_seq_length, limit, outputs, stats)
    staged_output.write_text(stage, f'{task.name}_meta_data.json',
                             json.dumps(metadata, indent=2))
    stage.publish()
  return metadata


def _task(task_name, text_column, label_column, labels):
  """The GlueTask or DocumentTask named `task_name`, with the flags applied."""
  if task_name in glue.GLUE_TASKS:
    given = [f for f, v in (('text_column', text_column),
                            ('label_column', label_column),
                            ('labels', labels)) if v]
    if given:
      raise ValueError(f'--{", --".join(given)} apply to document tasks '
                       f'only; GLUE task {task_name} has fixed columns.')
    return glue.GLUE_TASKS[task_name]
  return documents.customize(documents.DOCUMENT_TASKS[task_name], text_column,
                             label_column, labels)


def _default_input(task):
  if isinstance(task, glue.GlueTask):
    return 'glue'
  if task.default_input is None:
    raise ValueError(f'--task={task.name} needs --input: a directory of '
                     f'split files, one file, or a HF `datasets` name.')
  return task.default_input


def _read(task, input_spec, split, skipped):
  if isinstance(task, glue.GlueTask):
    return glue.read_split(task, input_spec, split, skipped)
  return documents.read_documents(task, input_spec, split, skipped)


def _encoded(task, rows, tokenizer, max_seq_length, limit, batch_size,
             tokens):
  """Yields the `sentence_prediction.Encoded` examples of a split.

  Counts into `tokens` ('text', 'unknown') the text tokens written and how
  many of them are the tokenizer's unk id.
  """
  rows = itertools.islice(rows, limit)
  special = {tokenizer.cls_token_id, tokenizer.sep_token_id}
  while batch := list(itertools.islice(rows, batch_size)):
    if isinstance(task, glue.GlueTask):
      batch = [row._replace(label=glue.label_to_id(task, row.label,
                                                   row.source))
               for row in batch]
      encoded = glue.encode_rows(tokenizer, batch, max_seq_length)
    else:
      encoded = documents.encode_documents(tokenizer, batch, max_seq_length)
    for example in encoded:
      tokens['text'] += sum(i not in special for i in example.input_ids)
      tokens['unknown'] += example.input_ids.count(tokenizer.unk_token_id)
      yield example


def _write_split(task, rows, tokenizer, path, split, max_seq_length, limit,
                 batch_size, log_every, skipped):
  """Writes and verifies one split's file; returns its counts."""
  name = f'{task.name} {split}'
  tokens = collections.Counter()
  stats = sentence_prediction.write_examples(
      path, _encoded(task, rows, tokenizer, max_seq_length, limit,
                     batch_size, tokens),
      max_seq_length, tokenizer.pad_token_id, name, log_every)
  if not stats['num_examples']:
    raise ValueError(f'{name}: no examples to write ({skipped.summary()}).')
  tokenizer_lib.check_unknown_fraction(name, tokens['unknown'],
                                       tokens['text'])
  staged_output.verify_tfrecord(path, stats['num_examples'], name)
  logging.info('%s: %s.', name, skipped.summary())
  stats['skipped'] = skipped.counts()
  return stats


def _check_args(task, input_spec, splits, **sizes):
  """Raises ValueError on flags that cannot work together."""
  for name, value in sizes.items():
    if value is not None and value < 1:
      raise ValueError(f'--{name}={value} must be a positive integer.')
  if isinstance(task, documents.DocumentTask) and sizes['max_seq_length'] < 3:
    raise ValueError(f'--max_seq_length={sizes["max_seq_length"]} leaves no '
                     'room for text between <s> and </s>; use 3 or more.')
  unknown = [s for s in splits if s not in task.splits]
  if unknown and isinstance(task, glue.GlueTask):
    raise ValueError(f'--splits={",".join(splits)}: task {task.name} has no '
                     f'split {unknown}; its splits are {list(task.splits)}.')
  if len(splits) > 1 and not tf.io.gfile.isdir(input_spec) and (
      tf.io.gfile.exists(input_spec)):
    raise ValueError(f'--input={input_spec} is one file, but {len(splits)} '
                     'splits were asked for; pass --splits=<one split> or a '
                     'directory with one file per split.')


def _metadata(task, input_spec, tokenizer_name, tokenizer, max_seq_length,
              limit, outputs, stats):
  """Returns the metadata: what was converted, how, and how much."""
  uses_types = 'token_type_ids' in tokenizer.model_input_names
  is_glue = isinstance(task, glue.GlueTask)
  labels = task.labels
  metadata = {
      'task': task.name,
      'input': input_spec,
      'tokenizer': tokenizer_name,
      'max_seq_length': max_seq_length,
      'pad_token_id': tokenizer.pad_token_id,
      'segment_ids': 'token_type_ids' if uses_types and is_glue else 'zeros',
      'label_type': 'float' if is_glue and not labels else 'int',
      'labels': list(labels) if labels else None,
      'num_classes': len(labels) if labels else 1,
      'limit': limit,
      'splits': {split: dict(path=outputs[split], **split_stats)
                 for split, split_stats in stats.items()},
  }
  if not is_glue:
    metadata.update(text_columns=list(task.text_columns),
                    label_columns=list(task.label_columns),
                    global_tokens='first', global_attention_size=1)
  return metadata
