r"""Tokenizes GLUE or long-document classification data into TFRecords.

Writes `<output_dir>/<task>_<split>.tf_record` for each split, with the
features Model Garden's `SentencePredictionDataLoader` reads (see
`longformer/data/sentence_prediction.py`), and
`<output_dir>/<task>_meta_data.json` with the counts, labels and lengths.
The files are staged, read back and moved into place together (see
`longformer/data/writing.py`): a failed run leaves the output directory as
it was. Skipped rows are counted by reason and reported.

With no flags it tokenizes MNLI from HuggingFace `datasets` (`glue`, `mnli`;
needs `pip install datasets` and network) with allenai/longformer-base-4096 at
512 tokens into ./mnli_tfrecords:

  python3 utils/longformer_tokenizer_to_tfrecord.py

From local GLUE files (train.tsv, dev_matched.tsv, dev_mismatched.tsv; CSV
and JSONL with the same columns work too) and a local tokenizer:

  python3 utils/longformer_tokenizer_to_tfrecord.py --task=mnli \
    --input=/data/glue/MNLI --tokenizer=/models/longformer-base-4096 \
    --max_seq_length=512 --output_dir=/data/mnli_tfrecords

Long documents, `<s> text </s>` up to 4,096 tokens (`longformer/data/
documents.py`): --task=imdb (HF `imdb`, or local files with text / label
columns), --task=hyperpartisan (train / dev / test.jsonl), or --task=document
with --text_column, --label_column and --labels:

  python3 utils/longformer_tokenizer_to_tfrecord.py --task=hyperpartisan \
    --input=/data/hyperpartisan --max_seq_length=4096 \
    --output_dir=/data/hyperpartisan_tfrecords
"""
import itertools
import os
import sys

from absl import app
from absl import flags
from absl import logging

# Let `python3 utils/longformer_tokenizer_to_tfrecord.py` run from a checkout
# without installing the package.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable=g-import-not-at-top,wrong-import-position
from longformer.data import documents
from longformer.data import glue
from longformer.data import sentence_prediction
from longformer.data import skips
from longformer.data import tokenizer as tokenizer_lib
from longformer.data import writing
import tensorflow as tf
# pylint: enable=g-import-not-at-top,wrong-import-position

_TASK = flags.DEFINE_enum(
    'task', 'mnli', sorted(glue.GLUE_TASKS) + sorted(documents.DOCUMENT_TASKS),
    'A GLUE task, or a document classification task (imdb, hyperpartisan, '
    'or document with --text_column, --label_column, --labels).')
_INPUT = flags.DEFINE_string(
    'input', None,
    'A directory of files named per split (train.tsv, dev.tsv or '
    'validation.tsv, dev_matched.tsv, test.jsonl, ...; .tsv, .csv and .jsonl '
    'work), one file (with a single --splits), or a HuggingFace `datasets` '
    'name. Defaults to glue for GLUE tasks and imdb for imdb.')
_TOKENIZER = flags.DEFINE_string(
    'tokenizer', 'allenai/longformer-base-4096',
    'A HuggingFace hub name, a local directory from `save_pretrained`, or a '
    'directory written by the `tokenizers` library whose vocabulary holds '
    "RoBERTa's <s> </s> <pad> <mask> <unk>.")
_MAX_SEQ_LENGTH = flags.DEFINE_integer(
    'max_seq_length', 512,
    'Every example is truncated (counted) and padded to this many tokens.')
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
_TEXT_COLUMN = flags.DEFINE_string(
    'text_column', None, "Document tasks: the text column's name.")
_LABEL_COLUMN = flags.DEFINE_string(
    'label_column', None, "Document tasks: the label column's name.")
_LABELS = flags.DEFINE_list(
    'labels', None,
    'Document tasks: the class names in class-index order (imdb: neg,pos; '
    'hyperpartisan: false,true). Rows with other labels are skipped and '
    'counted.')


def convert(task_name, input_spec, tokenizer_name, max_seq_length,
            output_dir, splits=None, limit=None, batch_size=1000,
            log_every=10000, text_column=None, label_column=None,
            labels=None):
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
  skipped = {s: skips.SkipCounter() for s in splits}
  sources = {s: _read(task, input_spec, s, skipped[s]) for s in splits}
  tokenizer = tokenizer_lib.load_tokenizer(tokenizer_name)
  if max_seq_length > tokenizer.model_max_length:
    logging.warning('--max_seq_length=%d exceeds the tokenizer\'s '
                    'model_max_length=%d.', max_seq_length,
                    tokenizer.model_max_length)
  outputs = {s: os.path.join(output_dir, f'{task.name}_{s}.tf_record')
             for s in splits}
  outputs[writing.METADATA_KEY] = os.path.join(
      output_dir, f'{task.name}_meta_data.json')
  with writing.atomic_output_set(output_dir, outputs) as staged:
    stats = {}
    for s in splits:
      stats[s] = _write_split(task, sources[s], tokenizer, staged[s], s,
                              max_seq_length, limit, batch_size, log_every,
                              skipped[s])
    metadata = _metadata(task, input_spec, tokenizer_name, tokenizer,
                         max_seq_length, limit, outputs, stats)
    writing.write_json(staged[writing.METADATA_KEY], metadata)
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


def _encoded(task, rows, tokenizer, max_seq_length, limit, batch_size):
  """Yields the `sentence_prediction.Encoded` examples of a split."""
  rows = itertools.islice(rows, limit)
  while batch := list(itertools.islice(rows, batch_size)):
    if isinstance(task, glue.GlueTask):
      batch = [row._replace(label=glue.label_to_id(task, row.label,
                                                   row.source))
               for row in batch]
      yield from glue.encode_rows(tokenizer, batch, max_seq_length)
    else:
      yield from documents.encode_documents(tokenizer, batch, max_seq_length)


def _write_split(task, rows, tokenizer, path, split, max_seq_length, limit,
                 batch_size, log_every, skipped):
  """Writes and verifies one split's file; returns its counts."""
  name = f'{task.name} {split}'
  stats = sentence_prediction.write_examples(
      path, _encoded(task, rows, tokenizer, max_seq_length, limit,
                     batch_size),
      max_seq_length, tokenizer.pad_token_id, name, log_every)
  if not stats['num_examples']:
    raise ValueError(f'{name}: no examples to write ({skipped.summary()}).')
  writing.verify_tfrecord(path, stats['num_examples'])
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


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {argv[1:]}')
  output_dir = _OUTPUT_DIR.value or f'./{_TASK.value}_tfrecords'
  try:
    metadata = convert(_TASK.value, _INPUT.value, _TOKENIZER.value,
                       _MAX_SEQ_LENGTH.value, output_dir, _SPLITS.value,
                       _LIMIT.value, _BATCH_SIZE.value, _LOG_EVERY.value,
                       _TEXT_COLUMN.value, _LABEL_COLUMN.value, _LABELS.value)
  except (ValueError, OSError, ImportError) as e:
    print(f'FAILED: nothing was written to {output_dir}.')
    sys.exit(f'error: {e}')
  for split, info in metadata['splits'].items():
    skipped = sum(info['skipped'].values())
    reasons = ', '.join(f'{n} {reason}' for reason, n in
                        info['skipped'].items())
    reasons = f' ({reasons})' if reasons else ''
    print(f'{split}: {info["num_examples"]} examples, '
          f'{info["num_truncated"]} truncated ({info["num_cut_tokens"]} '
          f'tokens cut), {skipped} skipped{reasons} -> {info["path"]}')
  total = sum(info['num_examples'] for info in metadata['splits'].values())
  print(f'OK: {total} examples in {len(metadata["splits"])} splits, '
        f'metadata {metadata["task"]}_meta_data.json, in {output_dir}')


if __name__ == '__main__':
  app.run(main)
