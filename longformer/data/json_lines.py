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

"""Reads JSON lines files: one JSON object per line, blank lines ignored.

Shared by the table reader (`table_files.py`, GLUE and document `.jsonl`
files) and predict's `--documents=<file>.jsonl`
(`longformer/inference/classification.py`). A line that is not JSON, or is
JSON but not an object, is an error naming the file and the line.
"""
import json
from typing import Iterable
from typing import Iterator
from typing import Tuple


def read_objects(lines: Iterable[str], path: str,
                 example: str = '{"text": "...", "label": "..."}'
                 ) -> Iterator[Tuple[int, dict]]:
  """Yields (1-based line number, object) for each non-blank line.

  Args:
    lines: the file's lines, e.g. an open text file.
    path: the file's name, for error messages.
    example: a line of the expected shape, shown when a line is not an
      object.

  Raises:
    ValueError: while iterating, a line that is not JSON or not a JSON
      object; the message names `path` and the line number.
  """
  for line_number, line in enumerate(lines, start=1):
    if not line.strip():
      continue
    try:
      row = json.loads(line)
    except json.JSONDecodeError as e:
      raise ValueError(
          f'{path}:{line_number}: not JSON ({e}). Each line must be one '
          f'JSON object, e.g. {example}; fix or remove the line.') from None
    if not isinstance(row, dict):
      raise ValueError(
          f'{path}:{line_number}: expected a JSON object, got '
          f'{_json_kind(row)} ({line.strip()[:40]}). Each line must be one '
          f'JSON object, e.g. {example}.')
    yield line_number, row


def _json_kind(value) -> str:
  """What a decoded JSON value is, in JSON's words, e.g. [] -> 'an array'."""
  kinds = {list: 'an array', str: 'a string', int: 'a number',
           float: 'a number', bool: 'a boolean', type(None): 'null'}
  return kinds[type(value)]
