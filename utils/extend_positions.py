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

r"""Makes a Longformer checkpoint take longer documents (allenai's recipe).

  python3 utils/extend_positions.py \
    --input_checkpoint=longformer-4096/longformer \
    --output_path=longformer-16384/longformer --max_seq_length=16384

`--input_checkpoint` is a checkpoint prefix with `encoder_config.yaml`
beside it (what the converters write) or a `train.py` model_dir. The
position table gets `--max_seq_length` + 2 rows: rows 0 and 1 (RoBERTa's
offset, never used by a real token) are kept and the learned rows after
them are copied again and again, as `utils/convert_roberta_to_longformer.py`
does with RoBERTa's 512 (a length that is not a multiple of the learned one
ends in a partial copy). Every other weight, a masked-LM head included, is
written unchanged; a model_dir's optimizer state and step are left behind,
and any other value (a classifier or QA head) is refused. Writes the
checkpoint at `--output_path` and `encoder_config.yaml` beside it (the new
max_position_embeddings, a comment saying what was done). Before anything
appears there, the written checkpoint is restored into a fresh model: every
weight must equal the source's (the table: the copied rows) and its outputs
on a padded batch within the old length must equal the source's.

An existing output (the checkpoint files or encoder_config.yaml) is refused
unless --overwrite, which replaces the whole set. The work is done by
`longformer/conversion/extend_positions.py`.
"""
import os
import sys

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.conversion import extend_positions

FLAGS = flags.FLAGS
flags.DEFINE_string('input_checkpoint', None,
                    'Checkpoint prefix with encoder_config.yaml beside it, '
                    'or a train.py model_dir.')
flags.DEFINE_string('output_path', None,
                    'Checkpoint prefix to write (task.init_checkpoint); '
                    'encoder_config.yaml goes beside it.')
flags.DEFINE_integer('max_seq_length', None,
                     'Tokens the extended model takes; the position table '
                     'gets this many rows plus the offset of 2. Must exceed '
                     'the checkpoint\'s length.')
flags.DEFINE_integer('check_batch_size', 2, 'Self-check batch size.')
flags.DEFINE_integer('check_seq_length', 0,
                     'Self-check length; 0: the checkpoint\'s length, at '
                     'most 128.')
flags.DEFINE_bool('overwrite', False,
                  'Replace an existing output set (checkpoint files and '
                  'encoder_config.yaml); without it it is refused.')
flags.mark_flags_as_required(['input_checkpoint', 'output_path',
                              'max_seq_length'])


def main(argv):
  del argv
  try:
    written = extend_positions.extend(
        FLAGS.input_checkpoint, FLAGS.output_path, FLAGS.max_seq_length,
        FLAGS.overwrite, FLAGS.check_batch_size, FLAGS.check_seq_length)
  except ValueError as e:
    raise SystemExit(f'error: {e}') from e
  if written.left_behind:
    print(f'Not carried: {written.left_behind} optimizer-state and step '
          'values of the model_dir (a run from this checkpoint starts its '
          'optimizer fresh).')
  print(f'Self-check on a {list(written.check_shape)} padded batch: every '
        'weight as meant, max abs output diff '
        f'{max(written.diffs.values()):.3g} (<= '
        f'{extend_positions.OUTPUT_TOLERANCE}) vs the source encoder.')
  for path in written.paths:
    print(f'Wrote {path}')
  print(f'Extended {FLAGS.input_checkpoint}: position table '
        f'{written.old_rows} -> {written.new_rows} rows (the learned rows '
        f'copied: {written.copies}), {FLAGS.max_seq_length}-token model at '
        f'{FLAGS.output_path}.')


if __name__ == '__main__':
  app.run(main)
