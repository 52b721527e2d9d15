"""GLUE tasks: the task table, local-file and HF `datasets` readers, labels.

Reads GLUE-format TSV / CSV / JSONL files or a HuggingFace `datasets` name
into `GlueRow`s and maps labels to the values `sentence_prediction`
stores. Nothing here imports a tokenizer library.
"""
import csv
import dataclasses
import itertools
import json
import os
from typing import Iterator
from typing import Mapping
from typing import NamedTuple
from typing import Optional
from typing import Sequence
from typing import Tuple
from typing import Union

import tensorflow as tf

LABEL = 'label'
_FILE_EXTENSIONS = ('.tsv', '.csv', '.jsonl')


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


def split_file_names(split: str) -> Tuple[str, ...]:
  """Returns the file names a local directory may hold `split` under."""
  stems = [split]
  if split.startswith('validation'):
    stems.insert(0, 'dev' + split[len('validation'):])
  return tuple(stem + ext for stem in stems for ext in _FILE_EXTENSIONS)


def read_split(task: GlueTask, input_spec: str,
               split: str) -> Iterator[GlueRow]:
  """Opens `split` of `task`; missing files or columns raise here, not later.

  Args:
    task: the task.
    input_spec: a directory holding GLUE-format files (see
      `split_file_names`), a single .tsv / .csv / .jsonl file, or else a
      HuggingFace `datasets` name such as 'glue'.
    split: one of `task.splits`.

  Returns:
    An iterator over the split's rows, in file order.

  Raises:
    ValueError: a file has an unknown extension, or lacks a column.
    FileNotFoundError: the directory has no file for `split`.
    ImportError: `input_spec` is no local path and `datasets` is missing.
  """
  if tf.io.gfile.isdir(input_spec):
    names = split_file_names(split)
    found = [n for n in names
             if tf.io.gfile.exists(os.path.join(input_spec, n))]
    if len(found) != 1:
      problem = 'holds several' if found else 'has no'
      raise FileNotFoundError(
          f'--input={input_spec} {problem} file for split {split!r} of task '
          f'{task.name} (looked for {", ".join(names)}; found {found}). Keep '
          f'exactly one, or pass --splits with only the splits you have.')
    return _read_local(task, os.path.join(input_spec, found[0]))
  if tf.io.gfile.exists(input_spec):
    return _read_local(task, input_spec)
  return _read_hf_dataset(task, input_spec, split)


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
    ValueError: the label is not one of the task's classes or indices.
  """
  if task.labels is None:
    try:
      return float(raw)
    except (TypeError, ValueError):
      raise ValueError(
          f'{source}: label {raw!r} is not a number, and task {task.name} is '
          f'a regression task. Fix the label or check --task.') from None
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


def _column_indices(task: GlueTask, header: Sequence[str],
                    source: str) -> Optional[Tuple[int, ...]]:
  """Returns header positions of the text columns then the label, or None."""
  indices = []
  for column in task.text_columns + (LABEL,):
    names = (column,) + task.aliases.get(column, ())
    index = next((header.index(n) for n in names if n in header), None)
    if index is None:
      if task.headerless is not None:
        return None
      raise ValueError(
          f'{source}: no column {" or ".join(map(repr, names))} for task '
          f'{task.name}; the columns are {list(header)}. Rename the column '
          f'or check --task.')
    indices.append(index)
  return tuple(indices)


def _read_local(task: GlueTask, path: str) -> Iterator[GlueRow]:
  """Opens a local file; checks its columns now, reads rows lazily."""
  extension = os.path.splitext(path)[1].lower()
  if extension not in _FILE_EXTENSIONS:
    raise ValueError(f'--input file {path} must end in one of '
                     f'{", ".join(_FILE_EXTENSIONS)}, to tell its format.')
  f = tf.io.gfile.GFile(path)
  if extension == '.jsonl':
    lines = _json_lines(f, path)
  else:
    csv.field_size_limit(2**31 - 1)  # Long documents are the point.
    lines = enumerate(csv.reader(
        f, delimiter='\t' if extension == '.tsv' else ',',
        quoting=csv.QUOTE_NONE if extension == '.tsv' else csv.QUOTE_MINIMAL),
                      start=1)
  first = next(lines, None)
  if first is None:
    f.close()
    raise ValueError(f'{path} is empty; it must hold at least one example.')
  header = list(first[1])
  try:
    columns = _column_indices(task, header, path)
  except ValueError:
    f.close()
    raise
  if columns is None:  # A header-less GLUE TSV (CoLA): the columns are known.
    columns = _column_indices(task, task.headerless, path)
    lines = itertools.chain([first], lines)  # The first line is an example.
  elif extension == '.jsonl':
    lines = itertools.chain([first], lines)  # Keys were read from an example.
  return _local_rows(task, f, header, columns, lines)


def _json_lines(f, path: str) -> Iterator[Tuple[int, dict]]:
  """Yields (line number, object) for the non-blank lines of a JSONL file."""
  for line_number, line in enumerate(f, start=1):
    if not line.strip():
      continue
    try:
      row = json.loads(line)
    except json.JSONDecodeError as e:
      raise ValueError(f'{path}:{line_number}: not JSON ({e}).') from None
    if not isinstance(row, dict):
      raise ValueError(f'{path}:{line_number}: expected a JSON object.')
    yield line_number, row


def _local_rows(task: GlueTask, f, header: Sequence[str],
                columns: Tuple[int, ...], lines) -> Iterator[GlueRow]:
  """Yields the rows of an opened local file, then closes it."""
  names = task.text_columns + (LABEL,)
  count = 0
  with f:
    for line_number, fields in lines:
      source = f'{f.name}:{line_number}'
      if isinstance(fields, dict):
        fields = [fields.get(name) for name in header]
      if len(fields) <= max(columns):
        raise ValueError(f'{source}: {len(fields)} fields, but the columns '
                         f'need {max(columns) + 1}. Fix the line.')
      values = [fields[i] for i in columns]
      for name, value in zip(names, values):
        if value is None or name != LABEL and not isinstance(value, str):
          raise ValueError(f'{source}: column {name!r} is {value!r}, not '
                           f'text. Fix the line.')
      count += 1
      yield GlueRow(tuple(values[:-1]), values[-1], source)
  if not count:
    raise ValueError(f'{f.name} has a header but no examples.')


def _read_hf_dataset(task: GlueTask, name: str,
                     split: str) -> Iterator[GlueRow]:
  """Loads a split of HF `datasets` `name` (config `task.name`)."""
  try:
    import datasets  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise ImportError(
        f'--input={name!r} is not a local file or directory, so it is read '
        f'as a HuggingFace `datasets` name, but `datasets` is not installed. '
        f'Run `pip install datasets` (it downloads the data), or pass '
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
