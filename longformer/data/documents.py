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

"""Single long documents with a class label (IMDB, Hyperpartisan layouts).

Each document becomes `<s> text </s>`, cut to `max_seq_length` tokens (the
cut is counted), with Model Garden's sentence-prediction features
(`sentence_prediction.py`), so `longformer/glue` trains on it. `<s>` at
position 0 is the only global token: the encoder's default
`global_tokens='first'` with `global_attention_size: 1`, so `input_mask`
stays 1 / 0 (HF's `LongformerForSequenceClassification` also makes only
`<s>` global).

Rows are read from a local TSV / CSV / JSONL file with a text column and a
label column, or from a HuggingFace `datasets` name. Rows without text, or
whose label is not in the label set, are skipped and counted
(`EMPTY_TEXT`, `UNKNOWN_LABEL`), never written.
"""
import dataclasses
from typing import Iterator
from typing import List
from typing import Mapping
from typing import NamedTuple
from typing import Optional
from typing import Sequence
from typing import Tuple

import tensorflow as tf

from longformer.data import sentence_prediction
from longformer.data import skips
from longformer.data import table_files

EMPTY_TEXT = 'empty text'
UNKNOWN_LABEL = 'label not in the label set'


@dataclasses.dataclass(frozen=True)
class DocumentTask:
  """A document classification task: where its text and label are.

  Attributes:
    name: the task name; output files are `<name>_<split>.tf_record`.
    text_columns: names the text column may have (first found wins).
    label_columns: names the label column may have.
    labels: class names in class-index order; empty until given.
    splits: the default splits.
    label_aliases: other spellings of a class name, e.g. {'1': 'pos'}.
    default_input: the `--input` used when none is given, or None.
  """
  name: str
  text_columns: Tuple[str, ...] = ('text',)
  label_columns: Tuple[str, ...] = ('label',)
  labels: Tuple[str, ...] = ()
  splits: Tuple[str, ...] = ('train', 'validation')
  label_aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
  default_input: Optional[str] = None

  def label_index(self, raw: object) -> Optional[int]:
    """The class index of a raw label (name, alias, bool, int), or None."""
    if isinstance(raw, bool):
      raw = 'true' if raw else 'false'  # JSON's spelling.
    if not isinstance(raw, (str, int)):
      return None
    name = str(raw).strip()
    name = self.label_aliases.get(name, name)
    return self.labels.index(name) if name in self.labels else None


DOCUMENT_TASKS = {task.name: task for task in (
    # HF `imdb` (ClassLabel neg = 0, pos = 1) and its CSV / JSONL dumps; the
    # Kaggle CSV's `review` / `sentiment` columns with negative / positive.
    DocumentTask('imdb', ('text', 'review'), ('label', 'sentiment'),
                 ('neg', 'pos'), ('train', 'test'),
                 {'0': 'neg', '1': 'pos', 'negative': 'neg',
                  'positive': 'pos'}, default_input='imdb'),
    # allenai/longformer's hp_preprocess.py JSONL: train / dev / test.jsonl
    # with `text` and `label` 'true' / 'false'.
    DocumentTask('hyperpartisan', labels=('false', 'true'),
                 splits=('train', 'validation', 'test')),
    # Any other layout: --text_column, --label_column and --labels.
    DocumentTask('document'),
)}


class Document(NamedTuple):
  """One document to write: its text, class index and where it came from.

  `row` is its 0-based position in its split (skipped rows counted), the
  `example_id` it is written with.
  """
  text: str
  label: int
  source: str
  row: int


def customize(task: DocumentTask, text_column: Optional[str] = None,
              label_column: Optional[str] = None,
              labels: Optional[Sequence[str]] = None) -> DocumentTask:
  """Returns `task` with the given column names and label set.

  Raises:
    ValueError: the task ends with no label set, or one with repeats.
  """
  if text_column:
    task = dataclasses.replace(task, text_columns=(text_column,))
  if label_column:
    task = dataclasses.replace(task, label_columns=(label_column,))
  if labels:
    task = dataclasses.replace(task, labels=tuple(labels), label_aliases={})
  if len(task.labels) < 2 or len(set(task.labels)) != len(task.labels):
    raise ValueError(
        f'--labels={",".join(task.labels)}: task {task.name} needs two or '
        f'more distinct class names in class-index order, e.g. '
        f'--labels=negative,positive.')
  return task


def read_documents(task: DocumentTask, input_spec: str, split: str,
                   skipped: skips.SkipCounter) -> Iterator[Document]:
  """Opens `split`; missing files or columns raise here, not later.

  Args:
    task: the task, with its label set.
    input_spec: a directory of split files (train.jsonl, dev.tsv, ...), one
      .tsv / .csv / .jsonl file, or a HuggingFace `datasets` name.
    split: the split to read, e.g. 'train'.
    skipped: counts the rows skipped, by reason.

  Returns:
    An iterator over the documents to write, in file order.
  """
  if tf.io.gfile.isdir(input_spec):
    path = table_files.find_split_file(input_spec, split, f'task {task.name}')
  elif tf.io.gfile.exists(input_spec):
    path = input_spec
  else:
    return _keep_valid(task, _read_hf_dataset(task, input_spec, split),
                       skipped)
  rows = table_files.read_table(
      path, [task.text_columns, task.label_columns], 1, skipped,
      f'task {task.name}')
  return _keep_valid(task, (r.values + (r.source, r.row) for r in rows),
                     skipped)


def _keep_valid(task, rows, skipped) -> Iterator[Document]:
  """Yields the (text, label, source, row) rows with text and a known label."""
  for text, raw_label, source, row in rows:
    label = task.label_index(raw_label)
    if not text.strip():
      skipped.add(EMPTY_TEXT, source)
    elif label is None:
      skipped.add(UNKNOWN_LABEL, f'{source} (label {raw_label!r})')
    else:
      yield Document(text, label, source, row)


def _read_hf_dataset(task, name, split
                     ) -> Iterator[Tuple[str, object, str, int]]:
  """Yields (text, label name, source, row) from HF `datasets` `name`."""
  try:
    import datasets  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise ImportError(
        f'--input={name!r} is not a local file or directory, so it is read '
        f'as a HuggingFace `datasets` name, but `datasets` is not installed. '
        f'Run pip install -e ".[data]", or pass --input=<a directory of '
        f'TSV / CSV / JSONL files>.') from None
  dataset = datasets.load_dataset(name, split=split)
  text_column = next(
      (c for c in task.text_columns if c in dataset.column_names), None)
  label_column = next(
      (c for c in task.label_columns if c in dataset.column_names), None)
  if text_column is None or label_column is None:
    raise ValueError(f'{name}[{split}] needs a text column {task.text_columns}'
                     f' and a label column {task.label_columns}; its columns '
                     f'are {dataset.column_names}. Pass --text_column and '
                     f'--label_column.')
  # A ClassLabel's index -> its name; -1 (no label, e.g. imdb's
  # `unsupervised` split) stays -1 and is skipped as an unknown label.
  names = getattr(dataset.features[label_column], 'names', None) or []
  for i, row in enumerate(dataset):
    label = row[label_column]
    if type(label) is int and 0 <= label < len(names):  # Not a bool.
      label = names[label]
    yield row[text_column] or '', label, f'{name}[{split}] row {i}', i


def encode_documents(tokenizer, documents: Sequence[Document],
                     max_seq_length: int) -> List[sentence_prediction.Encoded]:
  """Tokenizes documents as `<s> text </s>`, cutting text tokens to fit.

  Args:
    tokenizer: a RoBERTa-style HuggingFace tokenizer.
    documents: the documents of one batch.
    max_seq_length: the longest encoding, `<s>` and `</s>` included; >= 3.

  Returns:
    One `Encoded` per document; segment ids are zeros. A long document keeps
    `<s>`, its first `max_seq_length - 2` text tokens and `</s>`.

  Raises:
    ValueError: the tokenizer does not wrap a text as `<s> ... </s>`.
  """
  all_ids = tokenizer([d.text for d in documents], verbose=False)['input_ids']
  first, last = tokenizer.cls_token_id, tokenizer.sep_token_id
  encoded = []
  for ids, document in zip(all_ids, documents):
    if len(ids) < 3 or ids[0] != first or ids[-1] != last:
      raise ValueError(
          f'{document.source}: the tokenizer encodes the text as '
          f'{ids[:3]}...{ids[-2:]}, not <s>={first} ... </s>={last}; the '
          f'classifier reads <s>. Use a RoBERTa-style tokenizer.')
    cut = max(0, len(ids) - max_seq_length)
    if cut:
      ids = ids[:max_seq_length - 1] + ids[-1:]
    encoded.append(sentence_prediction.Encoded(
        ids, [0] * len(ids), document.label, cut, document.row))
  return encoded
