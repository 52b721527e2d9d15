"""Writes a set of output files (TFRecords + metadata) all or nothing.

`atomic_output_set` stages every file of a run in a hidden directory, lets
the caller verify them, and only then moves the set into place:
  * a new output directory appears with one directory rename;
  * in an existing directory, the files the run replaces are first moved
    aside (the metadata file first), the new files are moved in (the
    metadata file last), and a failure at any step moves the new files out
    and the old ones back, so readers find the old set or the new one,
    never a mix. A metadata file present means its set is complete.
A process killed during the swap (power loss, SIGKILL) can leave the old
files in `<output_dir>/.replaced-*`; nothing else is left behind.
"""
import contextlib
import json
import os
import uuid
from typing import Dict
from typing import Iterator
from typing import List
from typing import Mapping
from typing import Tuple

import tensorflow as tf

METADATA_KEY = 'meta_data'


@contextlib.contextmanager
def atomic_output_set(
    output_dir: str, outputs: Mapping[str, str]) -> Iterator[Dict[str, str]]:
  """Yields a staging path per output; moves them all into place on success.

  Args:
    output_dir: the directory of every path in `outputs`; created if needed.
    outputs: {key: final path}. The key `METADATA_KEY`, if present, is moved
      into place last and out of the way first.

  Yields:
    {key: staging path}. Write every file there (and verify it) inside the
    `with` block; leaving the block with an exception discards them all.

  Raises:
    ValueError: an output path is not directly inside `output_dir`.
  """
  output_dir = output_dir.rstrip('/') or '/'
  for path in outputs.values():
    if os.path.dirname(path) != output_dir:
      raise ValueError(f'output {path} must be directly inside {output_dir}.')
  new_dir = not tf.io.gfile.exists(output_dir)
  tag = uuid.uuid4().hex[:8]
  staging = (f'{output_dir}.incomplete-{tag}' if new_dir else
             os.path.join(output_dir, f'.incomplete-{tag}'))
  tf.io.gfile.makedirs(staging)
  try:
    staged = {key: os.path.join(staging, os.path.basename(path))
              for key, path in outputs.items()}
    yield staged
    if new_dir:
      tf.io.gfile.rename(staging, output_dir)
    else:
      _swap_in(output_dir, _ordered(outputs, staged), tag)
  finally:
    if tf.io.gfile.exists(staging):
      tf.io.gfile.rmtree(staging)


def _ordered(outputs: Mapping[str, str],
             staged: Mapping[str, str]) -> List[Tuple[str, str]]:
  """(staging path, final path) pairs, the metadata file last."""
  keys = sorted(outputs, key=lambda key: key == METADATA_KEY)
  return [(staged[key], outputs[key]) for key in keys]


def _swap_in(output_dir: str, moves: List[Tuple[str, str]], tag: str) -> None:
  """Moves old files aside and new ones in; on failure restores the old set."""
  backup = os.path.join(output_dir, f'.replaced-{tag}')
  tf.io.gfile.makedirs(backup)
  moved_aside, moved_in = [], []
  try:
    for _, final in reversed(moves):  # The metadata file goes first.
      if tf.io.gfile.exists(final):
        aside = os.path.join(backup, os.path.basename(final))
        tf.io.gfile.rename(final, aside)
        moved_aside.append((aside, final))
    for staged, final in moves:
      tf.io.gfile.rename(staged, final)
      moved_in.append((final, staged))
  except BaseException:
    for final, staged in reversed(moved_in):
      tf.io.gfile.rename(final, staged)
    for aside, final in reversed(moved_aside):
      tf.io.gfile.rename(aside, final)
    raise
  finally:
    if not tf.io.gfile.listdir(backup) or len(moved_in) == len(moves):
      tf.io.gfile.rmtree(backup)


def count_records(path: str) -> int:
  """Returns the number of records in a TFRecord file, reading all of it.

  Raises:
    tf.errors.DataLossError: the file is truncated or corrupt.
  """
  return sum(1 for _ in tf.data.TFRecordDataset(path))


def verify_tfrecord(path: str, expected_count: int) -> None:
  """Raises ValueError unless `path` reads back `expected_count` records."""
  count = count_records(path)
  if count != expected_count:
    raise ValueError(f'{path} reads back {count} records, but '
                     f'{expected_count} were written; nothing was kept.')


def write_json(path: str, value: object) -> None:
  """Writes `value` as indented JSON to `path`."""
  with tf.io.gfile.GFile(path, 'w') as f:
    json.dump(value, f, indent=2)
