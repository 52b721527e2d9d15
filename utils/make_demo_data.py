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

r"""Writes the offline long-range demo data as sentence prediction TFRecords.

The task is made so that only a model whose first token sees far into the
sequence can solve it. Each example is

  <s> f f ... f | f M f f M ... f M f </s> <pad> ... <pad>
  positions < --min_marker_position | the rest of the real tokens

with filler tokens `f` drawn uniformly at random and `--num_markers` copies
of one marker `M`, MARKER_IDS[label], at random positions at or after
`--min_marker_position`; the first tokens carry no information about the
label. The classifier reads the first token (`<s>`). With a full attention
window W and L layers, `<s>` sees only the first L * W / 2 tokens through the
local band, so with `--min_marker_position` past that the label is invisible
to it (accuracy about 50%) unless `<s>` is a global token, which attends to
every token. Real lengths vary, so every batch has padding.

The features are Model Garden's sentence prediction ones (`input_ids`,
`input_mask`, `segment_ids`, `label_ids`), so `longformer/glue` reads them.

Usage:
  python3 utils/make_demo_data.py --output_dir=/tmp/longformer_demo/data
writes demo_train.tf_record and demo_eval.tf_record there.
"""
import os
import sys
from typing import Dict
from typing import List

from absl import app
from absl import flags
from absl import logging
import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.files import staged_output

# RoBERTa's special ids, as the Longformer encoder config defaults expect.
CLS_ID = 0
PAD_ID = 1
SEP_ID = 2
# The marker ids; MARKER_IDS[label] is the token that carries the label.
MARKER_IDS = (3, 4)
# Filler tokens are drawn from [FIRST_FILLER_ID, vocab_size).
FIRST_FILLER_ID = 5

# The demo's task; experiments/demo_long_range.yaml is sized for it.
DEFAULTS = {
    'seq_length': 1024,
    'min_length': 768,
    'min_marker_position': 64,
    'num_markers': 32,
    'vocab_size': 64,
    'num_train': 4096,
    'num_eval': 512,
    'seed': 0,
}

FLAGS = flags.FLAGS


def _define_flags() -> None:
  """Defines the CLI flags.

  Called only when run as a script, so importing this module (as the tests
  do) adds no global flags that could clash with another module's.
  """
  flags.DEFINE_string('output_dir', None, 'Directory for the two TFRecords.')
  flags.DEFINE_integer('seq_length', DEFAULTS['seq_length'],
                       'Padded length of every example.')
  flags.DEFINE_integer('min_length', DEFAULTS['min_length'],
                       'Shortest real length (with <s> and </s>); lengths '
                       'are uniform in [min_length, seq_length].')
  flags.DEFINE_integer('min_marker_position', DEFAULTS['min_marker_position'],
                       'Markers lie in [min_marker_position, length - 1); '
                       'keep it beyond num_layers * attention_window / 2.')
  flags.DEFINE_integer('num_markers', DEFAULTS['num_markers'],
                       'Copies of the label\'s marker in each example.')
  flags.DEFINE_integer('vocab_size', DEFAULTS['vocab_size'],
                       'Token ids are in [0, vocab_size).')
  flags.DEFINE_integer('num_train', DEFAULTS['num_train'],
                       'Training examples.')
  flags.DEFINE_integer('num_eval', DEFAULTS['num_eval'], 'Evaluation examples.')
  flags.DEFINE_integer('seed', DEFAULTS['seed'],
                       'NumPy seed; eval uses seed + 1.')
  flags.DEFINE_bool('overwrite', False,
                    'Replace existing demo_*.tf_record files in --output_dir '
                    '(all of them); without it they are refused.')
  flags.mark_flag_as_required('output_dir')


def make_example(rng: np.random.Generator, seq_length: int, min_length: int,
                 min_marker_position: int, num_markers: int,
                 vocab_size: int) -> Dict[str, List[int]]:
  """Draws one demo example.

  Args:
    rng: the random generator.
    seq_length: the padded length.
    min_length: the shortest real length, counting <s> and </s>.
    min_marker_position: the earliest position of a marker.
    num_markers: how many positions hold the label's marker.
    vocab_size: ids are below this.

  Returns:
    Lists of ints: `input_ids`, `input_mask` and `segment_ids` of length
    seq_length, and `label_ids` of length 1.
  """
  length = int(rng.integers(min_length, seq_length + 1))
  label = int(rng.integers(0, 2))
  ids = rng.integers(FIRST_FILLER_ID, vocab_size, size=seq_length)
  ids[0] = CLS_ID
  ids[length - 1] = SEP_ID
  ids[length:] = PAD_ID
  positions = rng.choice(np.arange(min_marker_position, length - 1),
                         size=num_markers, replace=False)
  ids[positions] = MARKER_IDS[label]
  mask = (np.arange(seq_length) < length).astype(np.int64)
  return {
      'input_ids': ids.tolist(),
      'input_mask': mask.tolist(),
      'segment_ids': [0] * seq_length,
      'label_ids': [label],
  }


def _check_flags(seq_length: int, min_length: int, min_marker_position: int,
                 num_markers: int, vocab_size: int) -> None:
  """Raises ValueError if the flags cannot make a valid example."""
  room = min_length - 1 - min_marker_position
  if min_marker_position < 1 or not 0 < num_markers <= room:
    raise ValueError(
        f'--num_markers={num_markers} markers must fit between '
        f'--min_marker_position={min_marker_position} (at least 1) and '
        f'</s> of the shortest example (--min_length - 1 = {min_length - 1}).')
  if not min_length <= seq_length:
    raise ValueError(f'--min_length={min_length} must be <= '
                     f'--seq_length={seq_length}.')
  if vocab_size <= FIRST_FILLER_ID:
    raise ValueError(f'--vocab_size={vocab_size} must exceed '
                     f'{FIRST_FILLER_ID}, the first filler id.')


def write_split(path: str, num_examples: int, seed: int, **kwargs) -> None:
  """Writes `num_examples` examples from `make_example(**kwargs)` to `path`."""
  rng = np.random.default_rng(seed)
  with tf.io.TFRecordWriter(path) as writer:
    for _ in range(num_examples):
      features = {
          name: tf.train.Feature(int64_list=tf.train.Int64List(value=values))
          for name, values in make_example(rng, **kwargs).items()
      }
      writer.write(
          tf.train.Example(features=tf.train.Features(
              feature=features)).SerializeToString())
  logging.info('Wrote %d examples to %s', num_examples, path)


OUTPUT_PATTERNS = ('demo_*.tf_record',)


def write_demo_data(output_dir: str, num_train: int, num_eval: int, seed: int,
                    overwrite: bool = False, **kwargs) -> None:
  """Writes demo_train / demo_eval.tf_record into `output_dir` together.

  An existing set (`OUTPUT_PATTERNS`) is refused unless `overwrite`, which
  replaces it whole.
  """
  _check_flags(**kwargs)
  staged_output.check_output(output_dir, OUTPUT_PATTERNS, overwrite)
  with staged_output.staged(output_dir, OUTPUT_PATTERNS, overwrite) as stage:
    for name, count, split_seed in (('demo_train', num_train, seed),
                                    ('demo_eval', num_eval, seed + 1)):
      path = stage.staged_path(f'{name}.tf_record')
      write_split(path, count, split_seed, **kwargs)
      staged_output.verify_tfrecord(path, count, f'{name}.tf_record')
    stage.publish()


def main(_):
  kwargs = dict(
      seq_length=FLAGS.seq_length,
      min_length=FLAGS.min_length,
      min_marker_position=FLAGS.min_marker_position,
      num_markers=FLAGS.num_markers,
      vocab_size=FLAGS.vocab_size)
  try:
    write_demo_data(FLAGS.output_dir, FLAGS.num_train, FLAGS.num_eval,
                    FLAGS.seed, FLAGS.overwrite, **kwargs)
  except staged_output.OutputExistsError as e:
    sys.exit(f'error: {e}')


if __name__ == '__main__':
  _define_flags()
  app.run(main)
