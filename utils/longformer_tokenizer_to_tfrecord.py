r"""Tokenizes a GLUE task into TFRecords for Model Garden sentence prediction.

Writes `<output_dir>/<task>_<split>.tf_record` for each split, with the
features `SentencePredictionDataLoader` reads (see
`longformer/data/sentence_prediction.py`),
and `<output_dir>/<task>_meta_data.json` with the counts, labels and lengths.
Every file is written under a temporary name and renamed only when all splits
succeed, so a failed run leaves no partial output.

With no flags it tokenizes MNLI from HuggingFace `datasets` (`glue`, `mnli`;
needs `pip install datasets` and network) with allenai/longformer-base-4096 at
512 tokens into ./mnli_tfrecords:

  python3 utils/longformer_tokenizer_to_tfrecord.py

From local GLUE files (train.tsv, dev_matched.tsv, dev_mismatched.tsv; CSV
and JSONL with the same columns work too) and a local tokenizer:

  python3 utils/longformer_tokenizer_to_tfrecord.py --task=mnli \
    --input=/data/glue/MNLI --tokenizer=/models/longformer-base-4096 \
    --max_seq_length=512 --output_dir=/data/mnli_tfrecords
"""
import itertools
import os
import sys
import time

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

# Let `python3 utils/longformer_tokenizer_to_tfrecord.py` run from a checkout
# without installing the package.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.data import glue
from longformer.data import sentence_prediction
from longformer.data import tokenizer as tokenizer_lib
from longformer.data import writing

_TASK = flags.DEFINE_enum('task', 'mnli', sorted(glue.GLUE_TASKS),
                          'The GLUE task.')
_INPUT = flags.DEFINE_string(
    'input', 'glue',
    'A directory of GLUE-format files named per split (train.tsv, dev.tsv or '
    'validation.tsv, dev_matched.tsv, ...; .csv and .jsonl also work), one '
    'file (with a single --splits), or a HuggingFace `datasets` name.')
_TOKENIZER = flags.DEFINE_string(
    'tokenizer', 'allenai/longformer-base-4096',
    'A HuggingFace hub name or a local directory from `save_pretrained`.')
_MAX_SEQ_LENGTH = flags.DEFINE_integer(
    'max_seq_length', 512,
    'Every example is truncated and padded to this many tokens.')
_OUTPUT_DIR = flags.DEFINE_string(
    'output_dir', None, 'Where to write; defaults to ./<task>_tfrecords.')
_SPLITS = flags.DEFINE_list(
    'splits', None, "The splits to convert; defaults to all of the task's.")
_LIMIT = flags.DEFINE_integer(
    'limit', None, 'Convert only the first this many examples of each split.')
_BATCH_SIZE = flags.DEFINE_integer(
    'batch_size', 1000, 'Examples tokenized per tokenizer call.')
_LOG_EVERY = flags.DEFINE_integer(
    'log_every', 10000, 'Log progress every this many examples.')


def encode(tokenizer, rows, max_seq_length: int):
  """Tokenizes a batch of rows, truncating only those that are too long.

  Args:
    tokenizer: a HuggingFace tokenizer.
    rows: `glue.GlueRow`s with one or two texts each.
    max_seq_length: the longest allowed encoding, special tokens included.

  Returns:
    (input_ids, segment_ids, num_truncated): two lists of id lists and the
    number of rows that were longer than `max_seq_length`. Segment ids are
    the tokenizer's token type ids if its model takes them, else zeros (as
    RoBERTa and Longformer, whose HF models never see token type ids).
  """
  texts = [list(column) for column in zip(*(row.texts for row in rows))]
  kwargs = dict(return_token_type_ids=True, verbose=False)
  encoded = tokenizer(*texts, **kwargs)
  input_ids = encoded['input_ids']
  type_ids = encoded['token_type_ids']
  too_long = [i for i, ids in enumerate(input_ids) if len(ids) > max_seq_length]
  if too_long:
    cut = tokenizer(*([column[i] for i in too_long] for column in texts),
                    truncation=True, max_length=max_seq_length, **kwargs)
    for i, ids, types in zip(too_long, cut['input_ids'],
                             cut['token_type_ids']):
      input_ids[i], type_ids[i] = ids, types
  if 'token_type_ids' not in tokenizer.model_input_names:
    type_ids = [[0] * len(ids) for ids in input_ids]
  return input_ids, type_ids, len(too_long)


def write_split(task, rows, tokenizer, path, split, max_seq_length, limit,
                batch_size, log_every):
  """Writes one split's TFRecord file; returns (examples, truncated)."""
  count = truncated = 0
  start = time.time()
  with tf.io.TFRecordWriter(path) as writer:
    rows = itertools.islice(rows, limit)
    while batch := list(itertools.islice(rows, batch_size)):
      labels = [glue.label_to_id(task, row.label, row.source)
                for row in batch]
      input_ids, segment_ids, batch_truncated = encode(
          tokenizer, batch, max_seq_length)
      for ids, types, label in zip(input_ids, segment_ids, labels):
        writer.write(sentence_prediction.make_example(
            ids, types, label, count, max_seq_length,
            tokenizer.pad_token_id).SerializeToString())
        count += 1
      truncated += batch_truncated
      if count // log_every > (count - len(batch)) // log_every:
        logging.info('%s %s: %d examples (%d truncated), %.0f examples/s',
                     task.name, split, count, truncated,
                     count / (time.time() - start))
  logging.info('%s %s: wrote %d examples, %d of them truncated to %d tokens.',
               task.name, split, count, truncated, max_seq_length)
  return count, truncated


def convert(task_name, input_spec, tokenizer_name, max_seq_length,
            output_dir, splits=None, limit=None, batch_size=1000,
            log_every=10000):
  """Converts the splits of a GLUE task; the CLI's flags are the arguments.

  Returns:
    The metadata dict also written to `<output_dir>/<task>_meta_data.json`.

  Raises:
    ValueError, OSError, ImportError: bad flags or input; nothing is left
      behind in `output_dir`.
  """
  task = glue.GLUE_TASKS[task_name]
  splits = splits or list(task.splits)
  _check_args(task, input_spec, splits, max_seq_length=max_seq_length,
              limit=limit, batch_size=batch_size, log_every=log_every)
  sources = {s: glue.read_split(task, input_spec, s) for s in splits}
  tokenizer = tokenizer_lib.load_tokenizer(tokenizer_name)
  if max_seq_length > tokenizer.model_max_length:
    logging.warning('--max_seq_length=%d exceeds the tokenizer\'s '
                    'model_max_length=%d.', max_seq_length,
                    tokenizer.model_max_length)
  outputs = {s: os.path.join(output_dir, f'{task.name}_{s}.tf_record')
             for s in splits}
  outputs['meta_data'] = os.path.join(output_dir,
                                      f'{task.name}_meta_data.json')
  with writing.atomic_output_set(output_dir, outputs) as temporary:
    counts = {s: write_split(task, sources[s], tokenizer, temporary[s], s,
                             max_seq_length, limit, batch_size, log_every)
              for s in splits}
    metadata = _metadata(task, input_spec, tokenizer_name, tokenizer,
                         max_seq_length, limit, outputs, counts)
    writing.write_json(temporary['meta_data'], metadata)
  return metadata


def _check_args(task, input_spec, splits, **sizes):
  """Raises ValueError on flags that cannot work together."""
  for name, value in sizes.items():
    if value is not None and value < 1:
      raise ValueError(f'--{name}={value} must be a positive integer.')
  unknown = [s for s in splits if s not in task.splits]
  if unknown:
    raise ValueError(f'--splits={",".join(splits)}: task {task.name} has no '
                     f'split {unknown}; its splits are {list(task.splits)}.')
  if len(splits) > 1 and not tf.io.gfile.isdir(input_spec) and (
      tf.io.gfile.exists(input_spec)):
    raise ValueError(f'--input={input_spec} is one file, but {len(splits)} '
                     'splits were asked for; pass --splits=<one split> or a '
                     'directory with one file per split.')


def _metadata(task, input_spec, tokenizer_name, tokenizer, max_seq_length,
              limit, outputs, counts):
  """Returns the metadata: what was converted, how, and how much."""
  uses_types = 'token_type_ids' in tokenizer.model_input_names
  return {
      'task': task.name,
      'input': input_spec,
      'tokenizer': tokenizer_name,
      'max_seq_length': max_seq_length,
      'pad_token_id': tokenizer.pad_token_id,
      'segment_ids': 'token_type_ids' if uses_types else 'zeros',
      'label_type': task.label_type,
      'labels': list(task.labels) if task.labels else None,
      'num_classes': len(task.labels) if task.labels else 1,
      'limit': limit,
      'splits': {
          split: {'path': outputs[split], 'num_examples': count,
                  'num_truncated': truncated}
          for split, (count, truncated) in counts.items()},
  }


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {argv[1:]}')
  output_dir = _OUTPUT_DIR.value or f'./{_TASK.value}_tfrecords'
  try:
    metadata = convert(_TASK.value, _INPUT.value, _TOKENIZER.value,
                       _MAX_SEQ_LENGTH.value, output_dir, _SPLITS.value,
                       _LIMIT.value, _BATCH_SIZE.value, _LOG_EVERY.value)
  except (ValueError, OSError, ImportError) as e:
    sys.exit(f'error: {e}')
  for split, info in metadata['splits'].items():
    print(f'{split}: {info["num_examples"]} examples, '
          f'{info["num_truncated"]} truncated -> {info["path"]}')


if __name__ == '__main__':
  app.run(main)
