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

"""SQuAD-format JSON -> the TFRecords and features file of `longformer/squad`.

What `utils/squad_to_tfrecord.py` runs (its docstring lists the files):
tokenizes every question and context with the model's BPE tokenizer (special
-token text stays text), cuts them into windows (`squad.make_windows`),
writes the set staged and read back (`files.staged_output`), and counts
every skipped question by reason.
"""
import collections
import contextlib
import json
import os
import time

from absl import logging
import tensorflow as tf

from longformer.data import squad
from longformer.data import tokenizer as tokenizer_lib
from longformer.files import staged_output


def write_split(input_path, tokenizer, record_path, features_path, args):
  """Writes one split; returns its counts.

  Args:
    input_path: the SQuAD-format JSON.
    tokenizer: a fast tokenizer.
    record_path: the TFRecord to write.
    features_path: the eval features file, or None for training data.
    args: dict of max_seq_length, max_query_length, doc_stride,
      version_2_with_negative, log_every.

  Returns:
    {'questions', 'windows', 'windows_without_answer', 'skipped': {reason:
    count}}.
  """
  is_training = features_path is None
  special = squad.SpecialIds(tokenizer.cls_token_id, tokenizer.sep_token_id,
                             tokenizer.pad_token_id)
  counts = collections.Counter()
  skipped = collections.Counter()
  start, context, tokens = time.time(), None, None
  with contextlib.ExitStack() as stack:
    writer = stack.enter_context(tf.io.TFRecordWriter(record_path))
    features = (stack.enter_context(tf.io.gfile.GFile(features_path, 'w'))
                if features_path else None)
    for example, reason in squad.read_squad(
        input_path, args['version_2_with_negative']):
      counts['seen'] += 1
      if counts['seen'] % args['log_every'] == 0:
        logging.info('%s: %d questions, %d windows, %.0f questions/s',
                     input_path, counts['seen'], counts['windows'],
                     counts['seen'] / (time.time() - start))
      if example is not None:
        if example.context != context:  # questions share their paragraph
          context = example.context
          tokens = squad.tokenize(tokenizer, context)
        counts['answers_not_at_offset'] += example.misaligned_answers
        question = squad.tokenize_question(tokenizer, example)
        windows, reason = squad.make_windows(
            example, question, tokens, special, args['max_seq_length'],
            args['max_query_length'], args['doc_stride'], is_training)
      if reason:
        skipped[reason] += 1
        continue
      _write_windows(writer, features, example, windows, counts)
  logging.info('%s: %d questions read, %d written as %d windows; skipped: %s;'
               ' %d gold answers not at their answer_start left out of '
               'their questions', input_path, counts['seen'],
               counts['questions'], counts['windows'], dict(skipped),
               counts['answers_not_at_offset'])
  return {'questions_in_file': counts['seen'],
          'questions': counts['questions'], 'windows': counts['windows'],
          'windows_without_answer': counts['without_answer'],
          'answers_not_at_offset': counts['answers_not_at_offset'],
          'skipped': {r: skipped[r] for r in squad.SKIP_REASONS}}


def _write_windows(writer, features, example, windows, counts):
  """Writes one question's windows (and, for eval, its features line)."""
  unique_ids = list(range(counts['windows'], counts['windows'] + len(windows)))
  for uid, window in zip(unique_ids, windows):
    writer.write(squad.to_tf_example(
        window, None if features is None else uid).SerializeToString())
    if features is None:
      counts['without_answer'] += window.end_position == 0
  if features is not None:
    features.write(json.dumps(squad.eval_record(example, windows, unique_ids),
                              ensure_ascii=False) + '\n')
  counts['questions'] += 1
  counts['windows'] += len(windows)


def check_args(args, global_attention_size):
  """Raises ValueError on flags that cannot work; returns the needed G."""
  for name in ('max_seq_length', 'doc_stride', 'max_query_length'):
    if args[name] < 1:
      raise ValueError(f'--{name}={args[name]} must be a positive integer.')
  needed = 1 + args['max_query_length']  # <s> + the question
  if args['max_seq_length'] < needed + squad.NUM_SPECIAL_TOKENS:
    raise ValueError(
        f'--max_seq_length={args["max_seq_length"]} leaves no room for context '
        f'after a question of --max_query_length={args["max_query_length"]} '
        f'tokens and 4 special tokens; raise it or lower the cap.')
  if global_attention_size is not None and needed > global_attention_size:
    raise ValueError(
        f'--max_query_length={args["max_query_length"]} marks up to {needed} '
        f'global tokens (<s> + question), more than --global_attention_size='
        f'{global_attention_size}. Lower --max_query_length to '
        f'{global_attention_size - 1} or raise the model\'s '
        'global_attention_size.')
  return needed


OUTPUT_PATTERNS = ('*.tf_record', 'eval_features.jsonl', 'meta_data.json')


def convert(splits, tokenizer_name, output_dir, args,
            global_attention_size=None, overwrite=False):
  """Converts the splits {'train': path, 'eval': path}; returns metadata.

  The output set (`OUTPUT_PATTERNS` in `output_dir`) is refused if it exists,
  unless `overwrite`; then it is replaced whole. Files appear only after
  every split was written and read back.

  Raises:
    ValueError, OSError, ImportError: bad flags, input or tokenizer, or an
      existing output; nothing was written.
  """
  needed = check_args(args, global_attention_size)
  staged_output.check_output(output_dir, OUTPUT_PATTERNS, overwrite)
  tokenizer = tokenizer_lib.load_tokenizer(tokenizer_name)
  names = {s: f'{s}.tf_record' for s in splits}
  metadata = {'tokenizer': tokenizer_name, **args,
              'pad_token_id': tokenizer.pad_token_id,
              'global_attention_size': needed, 'global_tokens': 'marked',
              'splits': {}}
  with staged_output.staged(output_dir, OUTPUT_PATTERNS, overwrite) as stage:
    for split, path in splits.items():
      features = (stage.staged_path('eval_features.jsonl') if split == 'eval'
                  else None)
      counts = write_split(path, tokenizer, stage.staged_path(names[split]),
                           features, args)
      if not counts['windows']:
        raise ValueError(f'{split}: every question was skipped (see the '
                         'counts logged above); nothing to write.')
      staged_output.verify_tfrecord(stage.staged_path(names[split]),
                                    counts['windows'], split)
      metadata['splits'][split] = {
          'input': path, 'path': os.path.join(output_dir, names[split]),
          **counts}
    if 'eval' in splits:
      metadata['eval_features_path'] = os.path.join(output_dir,
                                                    'eval_features.jsonl')
    staged_output.write_text(stage, 'meta_data.json',
                             json.dumps(metadata, indent=2))
    stage.publish()
  return metadata
