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

r"""Makes a Longformer out of an HF RoBERTa checkpoint (allenai's recipe).

  python3 utils/convert_roberta_to_longformer.py \
    --roberta_model=roberta-base --output_path=roberta-4096/longformer \
    --max_seq_length=4096 --attention_window=512

`--roberta_model` is a hub name or a `save_pretrained` directory of a
`RobertaModel` or `RobertaForMaskedLM` (any size; XLM-R and CamemBERT too).
The learned positions (after RoBERTa's offset of pad_token_id + 1 = 2) are
copied again and again up to `--max_seq_length`, the local Q/K/V
projections are copied into the global ones, every layer gets
`--attention_window`. Writes `tf.train.Checkpoint(encoder=...)` (plus
`masked_lm=` for a masked-LM model: what `longformer/pretraining` restores
from `task.init_checkpoint`) at `--output_path` and `encoder_config.yaml`
beside it. Before anything appears there, the written checkpoint is
restored with windows covering the whole check sequence and no global
tokens, where it must compute what RoBERTa computes.

  python3 utils/convert_roberta_to_longformer.py \
    --recopy_global_from_local=<train.py model_dir or checkpoint prefix> \
    --output_path=pretrained/longformer

re-copies the local projections into the global ones after masked-LM
pretraining (which, with no global tokens, never trains the global ones).

An existing output (the checkpoint files or encoder_config.yaml) is refused
unless --overwrite, which replaces the whole set. The work is done by
`longformer/conversion/roberta_to_longformer.py`.
"""
import os
import sys

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.conversion import roberta_to_longformer

FLAGS = flags.FLAGS
flags.DEFINE_string('roberta_model', 'roberta-base',
                    'HF hub name or local directory of the RoBERTa model.')
flags.DEFINE_string('output_path', None,
                    'Checkpoint prefix to write (task.init_checkpoint); '
                    'encoder_config.yaml goes beside it.')
flags.DEFINE_integer('max_seq_length', 4096,
                     'Tokens the Longformer takes; the position table is '
                     'extended to this (plus RoBERTa\'s offset of 2).')
flags.DEFINE_integer('attention_window', 512,
                     'Full, even attention window of every layer.')
flags.DEFINE_integer('global_attention_size', 1,
                     'Leading global tokens in the written encoder config.')
flags.DEFINE_float('tolerance', 1e-4,
                   'Max abs difference allowed between RoBERTa and the '
                   'converted model in the self-check (float32).')
flags.DEFINE_integer('check_batch_size', 2, 'Self-check batch size.')
flags.DEFINE_integer('check_seq_length', 0,
                     'Self-check length; 0: RoBERTa\'s length, at most 128.')
flags.DEFINE_string('recopy_global_from_local', '',
                    'Instead of converting: a train.py model_dir (its '
                    'latest checkpoint and params.yaml) or a checkpoint '
                    'prefix with encoder_config.yaml beside it, whose '
                    'global Q/K/V are reset to the local ones.')
flags.DEFINE_bool('overwrite', False,
                  'Replace an existing output set (checkpoint files and '
                  'encoder_config.yaml); without it it is refused.')
flags.mark_flag_as_required('output_path')


def main(argv):
  del argv
  try:
    if FLAGS.recopy_global_from_local:
      written = roberta_to_longformer.recopy(
          FLAGS.recopy_global_from_local, FLAGS.output_path, FLAGS.overwrite)
    else:
      written = roberta_to_longformer.convert(
          FLAGS.roberta_model, FLAGS.output_path, FLAGS.max_seq_length,
          FLAGS.attention_window, FLAGS.global_attention_size,
          FLAGS.tolerance, FLAGS.check_batch_size, FLAGS.check_seq_length,
          FLAGS.overwrite)
  except ValueError as e:
    raise SystemExit(f'error: {e}') from e
  for name, diff in written.diffs.items():
    print(f'Self-check on a {list(written.check_shape)} padded batch (full '
          f'windows, no global tokens): max abs diff {name} = {diff:.3g}')
  for path in written.paths:
    print(f'Wrote {path}')
  if FLAGS.recopy_global_from_local:
    print('Self-check passed: every global Q/K/V equals its local one, all '
          f'other weights as read: {FLAGS.output_path}')
  else:
    print(f'Converted {FLAGS.roberta_model} to a {FLAGS.max_seq_length}-token '
          f'Longformer at {FLAGS.output_path} (max abs diff '
          f'{max(written.diffs.values()):.3g} <= {FLAGS.tolerance}).')


if __name__ == '__main__':
  app.run(main)
