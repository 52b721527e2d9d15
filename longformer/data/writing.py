"""Writes a set of output files (TFRecords + metadata) all or nothing."""
import contextlib
import json
from typing import Dict
from typing import Iterator
from typing import Mapping

import tensorflow as tf


@contextlib.contextmanager
def atomic_output_set(
    output_dir: str, outputs: Mapping[str, str]) -> Iterator[Dict[str, str]]:
  """Yields a temporary path per output; renames them all only on success.

  Args:
    output_dir: the directory of `outputs`; created if missing, and removed
      again if the block fails and leaves it empty.
    outputs: {key: final path}.

  Yields:
    {key: temporary path}, in the same directory so the rename is atomic.
  """
  created_dir = not tf.io.gfile.exists(output_dir)
  tf.io.gfile.makedirs(output_dir)
  temporary = {key: path + '.incomplete' for key, path in outputs.items()}
  try:
    yield temporary
    for key, path in outputs.items():
      tf.io.gfile.rename(temporary[key], path, overwrite=True)
  finally:
    for path in temporary.values():
      if tf.io.gfile.exists(path):
        tf.io.gfile.remove(path)
    if created_dir and not tf.io.gfile.listdir(output_dir):
      tf.io.gfile.rmtree(output_dir)


def write_json(path: str, value: object) -> None:
  """Writes `value` as indented JSON to `path`."""
  with tf.io.gfile.GFile(path, 'w') as f:
    json.dump(value, f, indent=2)
