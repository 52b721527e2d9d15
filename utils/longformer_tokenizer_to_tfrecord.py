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

r"""Tokenizes GLUE or long-document classification data into TFRecords.

Writes `<output_dir>/<task>_<split>.tf_record` for each split, with the
features Model Garden's `SentencePredictionDataLoader` reads (see
`longformer/data/sentence_prediction.py`), and
`<output_dir>/<task>_meta_data.json` with the counts, labels and lengths.
The files are staged, read back and moved into place together (see
`longformer/files/staged_output.py`; the work is in
`longformer/data/classification_records.py`): a failed run leaves the output
directory as it was. An existing set of the task's files
(`<task>_*.tf_record`, `<task>_meta_data.json`) is refused unless
--overwrite, which replaces the whole set (split files of an earlier run
included). Skipped rows are counted by reason and reported; a split whose
tokens are mostly `<unk>` is refused.

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
import os
import sys

from absl import app
from absl import flags

# Let `python3 utils/longformer_tokenizer_to_tfrecord.py` run from a checkout
# without installing the package.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable=g-import-not-at-top,wrong-import-position
from longformer.data import classification_records
from longformer.data import documents
from longformer.data import glue
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
    "RoBERTa's <s> </s> <pad> <mask> <unk>. A `tokenizers` folder with "
    'other special tokens: wrap it first with transformers.'
    'RobertaTokenizerFast(tokenizer_file=<dir>/tokenizer.json, '
    'bos_token=..., eos_token=..., sep_token=..., cls_token=..., '
    'pad_token=..., unk_token=..., mask_token=...).save_pretrained(<new '
    'dir>) and pass the new dir.')
_VOCAB_SIZE = flags.DEFINE_integer(
    'vocab_size', None,
    "The model's vocabulary size, if known: a tokenizer with more ids is "
    'refused.')
_OVERWRITE = flags.DEFINE_bool(
    'overwrite', False,
    "Replace an existing output set (the task's *.tf_record and meta data "
    'in --output_dir) whole; without it an existing output is refused.')
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


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {argv[1:]}')
  output_dir = _OUTPUT_DIR.value or f'./{_TASK.value}_tfrecords'
  try:
    metadata = classification_records.convert(
        _TASK.value, _INPUT.value, _TOKENIZER.value, _MAX_SEQ_LENGTH.value,
        output_dir, _SPLITS.value, _LIMIT.value, _BATCH_SIZE.value,
        _LOG_EVERY.value, _TEXT_COLUMN.value, _LABEL_COLUMN.value,
        _LABELS.value, _VOCAB_SIZE.value, _OVERWRITE.value)
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
