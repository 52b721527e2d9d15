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

"""Runs a model over many padded rows, a batch at a time, with progress."""
from typing import Callable, Dict, List, Sequence

import numpy as np


def run_batches(predict: Callable, input_ids: Sequence[Sequence[int]],
                input_mask: Sequence[Sequence[int]], batch_size: int,
                progress: Callable[[int, int], None]
                ) -> Dict[str, np.ndarray]:
  """Concatenated outputs of `predict` over rows of equal length.

  Args:
    predict: (input_word_ids, input_mask) int32 [B, T] -> {name: float32
      [B, ...]}.
    input_ids, input_mask: N rows of T ints each.
    batch_size: rows per call; the last batch may be smaller.
    progress: called with (rows done, N) after each batch.

  Returns:
    {name: float32 [N, ...]}; empty when N is 0.

  Raises:
    ValueError: batch_size < 1.
  """
  if batch_size < 1:
    raise ValueError(f'--batch_size={batch_size} must be a positive integer.')
  ids = np.asarray(input_ids, np.int32)
  mask = np.asarray(input_mask, np.int32)
  parts: Dict[str, List[np.ndarray]] = {}
  for first in range(0, len(ids), batch_size):
    outputs = predict(ids[first:first + batch_size],
                      mask[first:first + batch_size])
    for name, value in outputs.items():
      parts.setdefault(name, []).append(np.asarray(value, np.float32))
    progress(min(first + batch_size, len(ids)), len(ids))
  return {name: np.concatenate(values) for name, values in parts.items()}
