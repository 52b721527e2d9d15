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
