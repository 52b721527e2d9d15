r"""Tokenizes SQuAD-format JSON into TFRecords for `longformer/squad`.

Each question and its context become one or more windows of
`<s> question </s></s> context </s>`, `--max_seq_length` tokens each (long
contexts are split, `--doc_stride` context tokens apart), with `input_mask`
2 on `<s>` and the question tokens (the global tokens), 1 on the other real
tokens and 0 on padding (`longformer/data/squad.py`). Writes, in
`--output_dir`:

  train.tf_record       (--train_file) input_ids, input_mask, segment_ids,
                        start_positions, end_positions
  eval.tf_record        (--eval_file) input_ids, input_mask, segment_ids,
                        unique_ids
  eval_features.jsonl   (--eval_file) per question: id, context, answers and
                        each window's token -> character offsets
  meta_data.json        counts, skips by reason, and the global_attention_size
                        the model needs (1 + --max_query_length)

Questions that cannot be written correctly are skipped and counted by
reason, never cut: an answer whose text is not at its answer_start, a
question longer than --max_query_length tokens, an empty context, a question
without an answer in a v1.1 file. All files appear together, only when every
split succeeded.

  python3 utils/squad_to_tfrecord.py --train_file=train-v1.1.json \
    --eval_file=dev-v1.1.json --tokenizer=allenai/longformer-base-4096 \
    --max_seq_length=4096 --doc_stride=1024 --max_query_length=64 \
    --output_dir=squad_tfrecords
"""
import collections
import contextlib
import json
import os
import sys
import time

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

# Let `python3 utils/squad_to_tfrecord.py` run from a checkout uninstalled.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.data import squad

_TRAIN_FILE = flags.DEFINE_string('train_file', None,
                                  'SQuAD-format JSON to train on.')
_EVAL_FILE = flags.DEFINE_string('eval_file', None,
                                 'SQuAD-format JSON to evaluate on.')
_TOKENIZER = flags.DEFINE_string(
    'tokenizer', 'allenai/longformer-base-4096',
    'A HuggingFace hub name or a local `save_pretrained` directory of a fast '
    '(offset-returning) RoBERTa-style BPE tokenizer.')
_MAX_SEQ_LENGTH = flags.DEFINE_integer(
    'max_seq_length', 4096, 'Tokens per window, special tokens included.')
_DOC_STRIDE = flags.DEFINE_integer(
    'doc_stride', 128, 'Context tokens between the starts of two windows.')
_MAX_QUERY_LENGTH = flags.DEFINE_integer(
    'max_query_length', 64,
    'Questions with more tokens are skipped and counted (not truncated).')
_GLOBAL_ATTENTION_SIZE = flags.DEFINE_integer(
    'global_attention_size', None,
    "If set, the model's global_attention_size: the tool refuses a "
    '--max_query_length that would mark more than this many global tokens.')
_VERSION_2 = flags.DEFINE_bool(
    'version_2_with_negative', False,
    'SQuAD v2.0: questions without an answer are kept (answer: <s>).')
_OUTPUT_DIR = flags.DEFINE_string('output_dir', None, 'Where to write.')
_LOG_EVERY = flags.DEFINE_integer('log_every', 10000,
                                  'Log progress every this many questions.')


def load_tokenizer(name: str):
  """Returns a fast tokenizer with `<s>`, `</s>` and padding ids."""
  import transformers  # pylint: disable=g-import-not-at-top
  try:
    tokenizer = transformers.AutoTokenizer.from_pretrained(name)
  except (OSError, ValueError) as e:
    raise OSError(f'Could not load --tokenizer={name}: {e}\nPass a local '
                  'directory written by `save_pretrained`, or a hub name '
                  'this machine can download.') from None
  if not tokenizer.is_fast:
    raise ValueError(f'--tokenizer={name} is not a fast tokenizer; character '
                     'offsets need one (tokenizer.json).')
  if None in (tokenizer.cls_token_id, tokenizer.sep_token_id,
              tokenizer.pad_token_id):
    raise ValueError(f'--tokenizer={name} lacks a cls (<s>), sep (</s>) or '
                     'pad token; the windows need all three.')
  return tokenizer


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
        question = squad.tokenize_question(tokenizer, example)
        windows, reason = squad.make_windows(
            example, question, tokens, special, args['max_seq_length'],
            args['max_query_length'], args['doc_stride'], is_training)
      if reason:
        skipped[reason] += 1
        continue
      _write_windows(writer, features, example, windows, counts)
  logging.info('%s: %d questions read, %d written as %d windows; skipped: %s',
               input_path, counts['seen'], counts['questions'],
               counts['windows'], dict(skipped))
  return {'questions': counts['questions'], 'windows': counts['windows'],
          'windows_without_answer': counts['without_answer'],
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


def _check_written(record_path, expected, split):
  """Raises if the TFRecord does not hold `expected` records (or none)."""
  if not expected:
    raise ValueError(f'{split}: every question was skipped (see the counts '
                     'logged above); nothing to write.')
  found = sum(1 for _ in tf.data.TFRecordDataset(record_path))
  if found != expected:
    raise ValueError(f'{split}: wrote {expected} windows but read {found}.')


def convert(splits, tokenizer_name, output_dir, args,
            global_attention_size=None):
  """Converts the splits {'train': path, 'eval': path}; returns metadata."""
  needed = check_args(args, global_attention_size)
  tokenizer = load_tokenizer(tokenizer_name)
  outputs = {s: os.path.join(output_dir, f'{s}.tf_record') for s in splits}
  if 'eval' in splits:
    outputs['eval_features'] = os.path.join(output_dir, 'eval_features.jsonl')
  outputs['meta_data'] = os.path.join(output_dir, 'meta_data.json')
  metadata = {'tokenizer': tokenizer_name, **args,
              'pad_token_id': tokenizer.pad_token_id,
              'global_attention_size': needed, 'global_tokens': 'marked',
              'splits': {}}
  with squad.all_or_nothing(output_dir, outputs) as temporary:
    for split, path in splits.items():
      counts = write_split(path, tokenizer, temporary[split],
                           temporary.get('eval_features') if split == 'eval'
                           else None, args)
      _check_written(temporary[split], counts['windows'], split)
      metadata['splits'][split] = {'input': path, 'path': outputs[split],
                                   **counts}
    if 'eval' in splits:
      metadata['eval_features_path'] = outputs['eval_features']
    with tf.io.gfile.GFile(temporary['meta_data'], 'w') as f:
      json.dump(metadata, f, indent=2)
  return metadata


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {argv[1:]}')
  splits = {s: p for s, p in (('train', _TRAIN_FILE.value),
                              ('eval', _EVAL_FILE.value)) if p}
  if not splits or not _OUTPUT_DIR.value:
    sys.exit('error: pass --output_dir and --train_file and/or --eval_file.')
  args = dict(max_seq_length=_MAX_SEQ_LENGTH.value,
              doc_stride=_DOC_STRIDE.value,
              max_query_length=_MAX_QUERY_LENGTH.value,
              version_2_with_negative=_VERSION_2.value,
              log_every=_LOG_EVERY.value)
  try:
    metadata = convert(splits, _TOKENIZER.value, _OUTPUT_DIR.value, args,
                       _GLOBAL_ATTENTION_SIZE.value)
  except (ValueError, OSError, ImportError) as e:
    sys.exit(f'error: {e}')
  for split, info in metadata['splits'].items():
    skipped = ', '.join(f'{n} {r}' for r, n in info['skipped'].items())
    print(f'{split}: {info["questions"]} questions -> {info["windows"]} '
          f'windows ({info["windows_without_answer"]} without the answer); '
          f'skipped: {skipped}')
  print(f'OK: wrote {", ".join(metadata["splits"])} to {_OUTPUT_DIR.value} '
        f'(model needs global_tokens=marked, global_attention_size >= '
        f'{metadata["global_attention_size"]}).')


if __name__ == '__main__':
  app.run(main)
