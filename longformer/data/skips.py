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

"""Counts the rows a data tool skips, by reason, for its final report."""
import collections
from typing import Dict


class SkipCounter:
  """Counts skipped rows per reason and remembers where each reason first hit.

  Example:
    skipped = SkipCounter()
    skipped.add('missing columns', 'train.tsv:12')
    skipped.summary()  # "1 skipped: missing columns: 1 (first at ...)"
  """

  def __init__(self):
    self._counts = collections.Counter()
    self._first_source = {}

  def add(self, reason: str, source: str) -> None:
    """Records one skipped row; `source` says where it is (file:line)."""
    self._counts[reason] += 1
    self._first_source.setdefault(reason, source)

  @property
  def total(self) -> int:
    """The number of skipped rows, all reasons together."""
    return sum(self._counts.values())

  def counts(self) -> Dict[str, int]:
    """{reason: number of rows skipped for it}, reasons sorted."""
    return dict(sorted(self._counts.items()))

  def summary(self) -> str:
    """One line: the total, then each reason's count and first place."""
    if not self.total:
      return '0 skipped'
    parts = [f'{reason}: {count} (first at {self._first_source[reason]})'
             for reason, count in sorted(self._counts.items())]
    return f'{self.total} skipped: ' + '; '.join(parts)
