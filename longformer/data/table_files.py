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

"""Reads local TSV / CSV / JSONL files by column name, row by row.

Shared by the GLUE (`glue.py`) and document (`documents.py`) readers. A row
that lacks a wanted column (a short TSV line, a JSONL object without the
key or with null) is skipped and counted as `MISSING_COLUMNS`, as HF's and
Model Garden's GLUE processors skip short QQP rows; a wrong header, an
unknown extension or an empty file is an error.
"""
import csv
import itertools
import os
from typing import Iterator
from typing import NamedTuple
from typing import Optional
from typing import Sequence
from typing import Tuple

import tensorflow as tf

from longformer.data import json_lines
from longformer.data import skips

FILE_EXTENSIONS = ('.tsv', '.csv', '.jsonl')
MISSING_COLUMNS = 'missing columns'


class TableRow(NamedTuple):
  """The wanted columns' values of one row, and where it came from.

  `row` is the row's 0-based position among the file's data rows, skipped
  rows counted.
  """
  values: Tuple[object, ...]
  source: str
  row: int = 0


def split_file_names(split: str) -> Tuple[str, ...]:
  """Returns the file names a local directory may hold `split` under."""
  stems = [split]
  if split.startswith('validation'):
    stems.insert(0, 'dev' + split[len('validation'):])
  return tuple(stem + ext for stem in stems for ext in FILE_EXTENSIONS)


def find_split_file(directory: str, split: str, what: str) -> str:
  """Returns the one file of `directory` that holds `split`.

  Args:
    directory: a directory of split files (see `split_file_names`).
    split: the split, e.g. 'validation_matched'.
    what: what is read, for the error message, e.g. 'task mnli'.

  Raises:
    FileNotFoundError: no file, or several files, for the split.
  """
  names = split_file_names(split)
  found = [n for n in names if tf.io.gfile.exists(os.path.join(directory, n))]
  if len(found) != 1:
    problem = 'holds several' if found else 'has no'
    raise FileNotFoundError(
        f'--input={directory} {problem} file for split {split!r} of {what} '
        f'(looked for {", ".join(names)}; found {found}). Keep exactly one, '
        f'or pass --splits with only the splits you have.')
  return os.path.join(directory, found[0])


def read_table(path: str, columns: Sequence[Tuple[str, ...]],
               num_text_columns: int, skipped: skips.SkipCounter, what: str,
               headerless: Optional[Sequence[str]] = None
               ) -> Iterator[TableRow]:
  """Opens a local file; checks its header now, reads rows lazily.

  Args:
    path: a .tsv, .csv or .jsonl file; TSV / CSV have a header row.
    columns: per wanted column, the names it may have (first found wins).
    num_text_columns: the first this many wanted columns must hold text.
    skipped: counts the rows skipped for a missing column.
    what: what is read, for error messages, e.g. 'task mnli'.
    headerless: column names of a file without a header row (GLUE's CoLA),
      used when the first row has none of the wanted names.

  Returns:
    An iterator over the rows with every wanted column, in file order.

  Raises:
    ValueError: unknown extension, empty file, or a wanted column missing
      from the header; while iterating, a non-text value in a text column
      or a file whose rows were all skipped.
  """
  extension = os.path.splitext(path)[1].lower()
  if extension not in FILE_EXTENSIONS:
    raise ValueError(f'--input file {path} must end in one of '
                     f'{", ".join(FILE_EXTENSIONS)}, to tell its format.')
  f = tf.io.gfile.GFile(path)
  if extension == '.jsonl':
    example = ', '.join(f'"{names[0]}": ...' for names in columns)
    lines = json_lines.read_objects(f, path, '{' + example + '}')
  else:
    lines = _csv_lines(f, extension)
  first = next(lines, None)
  if first is None:
    f.close()
    raise ValueError(f'{path} is empty; it must hold at least one example.')
  header = list(first[1])
  indices = _column_indices(columns, header, path, what, headerless)
  if indices is None:  # A header-less file: the first line is an example.
    header = list(headerless)
    indices = _column_indices(columns, header, path, what, None)
    lines = itertools.chain([first], lines)
  elif extension == '.jsonl':
    lines = itertools.chain([first], lines)  # Keys were read from an example.
  return _rows(f, header, indices, columns, num_text_columns, lines, skipped)


def _csv_lines(f, extension: str) -> Iterator[Tuple[int, list]]:
  """Yields (line number, fields) of a TSV or CSV file."""
  csv.field_size_limit(2**31 - 1)  # Long documents are the point.
  tsv = extension == '.tsv'
  reader = csv.reader(f, delimiter='\t' if tsv else ',',
                      quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL)
  return enumerate(reader, start=1)


def _column_indices(columns, header, path, what,
                    headerless) -> Optional[Tuple[int, ...]]:
  """Returns header positions of the wanted columns, or None if header-less."""
  indices = []
  for names in columns:
    index = next((header.index(n) for n in names if n in header), None)
    if index is None:
      if headerless is not None:
        return None
      raise ValueError(
          f'{path}: no column {" or ".join(map(repr, names))} for {what}; '
          f'the columns are {list(header)}. Rename the column or check the '
          f'flags.')
    indices.append(index)
  return tuple(indices)


def _rows(f, header, indices, columns, num_text_columns, lines,
          skipped) -> Iterator[TableRow]:
  """Yields the complete rows of an opened file, then closes it."""
  count = 0
  with f:
    for row, (line_number, fields) in enumerate(lines):
      source = f'{f.name}:{line_number}'
      if isinstance(fields, dict):
        fields = [fields.get(name) for name in header]
      if len(fields) <= max(indices) or any(
          fields[i] is None for i in indices):
        skipped.add(MISSING_COLUMNS, source)
        continue
      values = tuple(fields[i] for i in indices)
      for names, value in zip(columns[:num_text_columns], values):
        if not isinstance(value, str):
          raise ValueError(f'{source}: column {names[0]!r} is {value!r}, '
                           f'not text. Fix the line.')
      count += 1
      yield TableRow(values, source, row)
  if not count:
    raise ValueError(f'{f.name} has a header but no examples '
                     f'({skipped.summary()}).')
