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

"""GLUE tasks: the task table, local-file and HF `datasets` readers, labels.

Reads GLUE-format TSV / CSV / JSONL files or a HuggingFace `datasets` name
into `GlueRow`s and maps labels to the values `sentence_prediction`
stores. Nothing here imports a tokenizer library.
"""
import dataclasses
import math
from typing import Iterator
from typing import List
from typing import Mapping
from typing import NamedTuple
from typing import Optional
from typing import Sequence
from typing import Tuple
from typing import Union

import tensorflow as tf

from longformer.data import sentence_prediction
from longformer.data import skips
from longformer.data import table_files

LABEL = 'label'


@dataclasses.dataclass(frozen=True)
class GlueTask:
  """One GLUE task; column and label names are HF `datasets`' `glue` ones.

  Attributes:
    name: the `glue` config name, e.g. 'mnli'.
    text_columns: one (single sentence) or two (pair) text column names.
    labels: class names in HF `datasets` index order; None for regression.
    splits: the labelled splits, e.g. ('train', 'validation').
    aliases: other names a local file may use for a text column or for
      'label' (the headers of the original GLUE TSV files).
    headerless: column names of a GLUE TSV file that has no header row.
  """
  name: str
  text_columns: Tuple[str, ...]
  labels: Optional[Tuple[str, ...]]
  splits: Tuple[str, ...] = ('train', 'validation')
  aliases: Mapping[str, Tuple[str, ...]] = dataclasses.field(
      default_factory=dict)
  headerless: Optional[Tuple[str, ...]] = None

  @property
  def label_type(self) -> str:
    """'int' or 'float', as in `SentencePredictionDataConfig.label_type`."""
    return 'int' if self.labels else 'float'


GLUE_TASKS = {task.name: task for task in (
    GlueTask('cola', ('sentence',), ('unacceptable', 'acceptable'),
             headerless=('source', LABEL, 'original_label', 'sentence')),
    GlueTask('mnli', ('premise', 'hypothesis'),
             ('entailment', 'neutral', 'contradiction'),
             splits=('train', 'validation_matched', 'validation_mismatched'),
             aliases={'premise': ('sentence1',), 'hypothesis': ('sentence2',),
                      LABEL: ('gold_label',)}),
    GlueTask('mrpc', ('sentence1', 'sentence2'),
             ('not_equivalent', 'equivalent'),
             aliases={'sentence1': ('#1 String',),
                      'sentence2': ('#2 String',), LABEL: ('Quality',)}),
    GlueTask('qnli', ('question', 'sentence'),
             ('entailment', 'not_entailment')),
    GlueTask('qqp', ('question1', 'question2'), ('not_duplicate', 'duplicate'),
             aliases={LABEL: ('is_duplicate',)}),
    GlueTask('rte', ('sentence1', 'sentence2'),
             ('entailment', 'not_entailment')),
    GlueTask('sst2', ('sentence',), ('negative', 'positive')),
    GlueTask('stsb', ('sentence1', 'sentence2'), None,
             aliases={LABEL: ('score',)}),
    GlueTask('wnli', ('sentence1', 'sentence2'),
             ('not_entailment', 'entailment')),
)}


class GlueRow(NamedTuple):
  """One raw example: its texts, its label as read, and where it came from."""
  texts: Tuple[str, ...]
  label: object
  source: str


def read_split(task: GlueTask, input_spec: str, split: str,
               skipped: skips.SkipCounter) -> Iterator[GlueRow]:
  """Opens `split` of `task`; missing files or columns raise here, not later.

  Args:
    task: the task.
    input_spec: a directory holding GLUE-format files (see
      `table_files.split_file_names`), a single .tsv / .csv / .jsonl file,
      or else a HuggingFace `datasets` name such as 'glue'.
    split: one of `task.splits`.
    skipped: counts rows skipped for a missing column (short QQP lines).

  Returns:
    An iterator over the split's complete rows, in file order.

  Raises:
    ValueError: a file has an unknown extension, or lacks a column.
    FileNotFoundError: the directory has no file for `split`.
    ImportError: `input_spec` is no local path and `datasets` is missing.
  """
  if tf.io.gfile.isdir(input_spec):
    path = table_files.find_split_file(input_spec, split, f'task {task.name}')
  elif tf.io.gfile.exists(input_spec):
    path = input_spec
  else:
    return _read_hf_dataset(task, input_spec, split)
  columns = [(c,) + task.aliases.get(c, ()) for c in task.text_columns]
  columns.append((LABEL,) + task.aliases.get(LABEL, ()))
  rows = table_files.read_table(path, columns, len(task.text_columns),
                                skipped, f'task {task.name}', task.headerless)
  return (GlueRow(row.values[:-1], row.values[-1], row.source)
          for row in rows)


def label_to_id(task: GlueTask, raw: object, source: str) -> Union[int, float]:
  """Maps a raw label (a class name or an index) to the value to store.

  Args:
    task: the task.
    raw: the label as read: a class name, an int or digit string index, or
      a number for the regression task.
    source: where the row came from, for the error message.

  Returns:
    The class index (int), or the score (float) for a regression task.

  Raises:
    ValueError: the label is not one of the task's classes or indices, or
      a regression label is not a finite number (nan, inf).
  """
  if task.labels is None:
    try:
      score = float(raw)
    except (TypeError, ValueError):
      raise ValueError(
          f'{source}: label {raw!r} is not a number, and task {task.name} is '
          f'a regression task. Fix the label or check --task.') from None
    if not math.isfinite(score):
      # A nan / inf target makes the loss of its whole batch nan / inf.
      raise ValueError(
          f'{source}: label {raw!r} is not a finite number; task '
          f'{task.name} needs a finite score. Fix or drop the row.')
    return score
  name = raw.strip() if isinstance(raw, str) else raw
  if name in task.labels:
    return task.labels.index(name)
  if isinstance(name, str) and name.isdigit():
    name = int(name)
  if type(name) is int and 0 <= name < len(task.labels):  # Not a bool.
    return name
  raise ValueError(
      f'{source}: unknown label {raw!r} for task {task.name}; expected one '
      f'of {", ".join(task.labels)} or an index 0..{len(task.labels) - 1}. '
      f'Fix the label, or check --task and that the file holds this task.')


def _read_hf_dataset(task: GlueTask, name: str,
                     split: str) -> Iterator[GlueRow]:
  """Loads a split of HF `datasets` `name` (config `task.name`)."""
  try:
    import datasets  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise ImportError(
        f'--input={name!r} is not a local file or directory, so it is read '
        f'as a HuggingFace `datasets` name, but `datasets` is not installed. '
        f'Run pip install -e ".[data]" (it downloads the data), or pass '
        f'--input=<a directory of GLUE TSV / CSV / JSONL files>.') from None
  dataset = datasets.load_dataset(name, task.name, split=split)
  missing = [c for c in task.text_columns + (LABEL,)
             if c not in dataset.column_names]
  if missing:
    raise ValueError(f'{name}/{task.name}[{split}] has no column {missing}; '
                     f'its columns are {dataset.column_names}.')
  if not len(dataset):  # pylint: disable=g-explicit-length-test
    raise ValueError(f'{name}/{task.name}[{split}] has no examples.')
  return (GlueRow(tuple(row[c] for c in task.text_columns), row[LABEL],
                  f'{name}/{task.name}[{split}] row {i}')
          for i, row in enumerate(dataset))


def encode_rows(tokenizer, rows: Sequence[GlueRow], max_seq_length: int
                ) -> List[sentence_prediction.Encoded]:
  """Tokenizes a batch of rows, truncating only those that are too long.

  Args:
    tokenizer: a HuggingFace tokenizer.
    rows: rows with one or two texts each and a label already mapped by
      `label_to_id`.
    max_seq_length: the longest allowed encoding, special tokens included.

  Returns:
    One `Encoded` per row. Segment ids are the tokenizer's token type ids if
    its model takes them, else zeros (as RoBERTa and Longformer, whose HF
    models never see token type ids).
  """
  texts = [list(column) for column in zip(*(row.texts for row in rows))]
  kwargs = dict(return_token_type_ids=True, verbose=False)
  encoded = tokenizer(*texts, **kwargs)
  input_ids, type_ids = encoded['input_ids'], encoded['token_type_ids']
  cut_tokens = [0] * len(rows)
  too_long = [i for i, ids in enumerate(input_ids) if len(ids) > max_seq_length]
  if too_long:
    cut = tokenizer(*([column[i] for i in too_long] for column in texts),
                    truncation=True, max_length=max_seq_length, **kwargs)
    for i, ids, types in zip(too_long, cut['input_ids'],
                             cut['token_type_ids']):
      cut_tokens[i] = len(input_ids[i]) - len(ids)
      input_ids[i], type_ids[i] = ids, types
  if 'token_type_ids' not in tokenizer.model_input_names:
    type_ids = [[0] * len(ids) for ids in input_ids]
  return [sentence_prediction.Encoded(ids, types, row.label, cut)
          for ids, types, row, cut in zip(input_ids, type_ids, rows,
                                          cut_tokens)]
