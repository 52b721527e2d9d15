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

r"""Exports a trained classifier or QA model as a serving SavedModel.

Usage, from the repository root:

  python3 utils/export_saved_model.py --model_dir=/tmp/mnli \
    --output_dir=/tmp/mnli_serving/1

Reads `<model_dir>/params.yaml` and the latest checkpoint (or
`--checkpoint_path` with `--params_yaml`), and writes a SavedModel
(`longformer/serving/`). A `longformer/glue` classifier gets:
- `serving_default`: int32 `input_word_ids`, `input_mask` [batch, length]
  -> `outputs` float32 [batch, num_classes] logits;
- `serve_examples`: serialized `tf.train.Example`s with the tokenizer tool's
  features (`input_ids`, `input_mask`, `segment_ids` of `--seq_length`).
A `longformer/squad` span labeler gets, each returning `start_logits` and
`end_logits` float32 [batch, length]:
- `serving_default`: `input_word_ids`, `input_mask` with 2 on global tokens
  (`<s>` and the question, as `utils/squad_to_tfrecord.py` marks them);
- `serve_global_attention_mask` (only with `global_tokens: marked`; a
  `first` model's global tokens are fixed by position, and the tool says
  it left this signature out): `input_word_ids`, a 0/1 `input_mask` and
  HF's `global_attention_mask` (1 = global);
- `serve_examples`: the SQuAD tool's eval (or train) records.
The SavedModel is reloaded and every signature is compared with the Keras
model before it appears at `--output_dir`. Serve it with TF Serving
(README.md, "Export"), or answer questions with `utils/predict.py`.
"""
import os
import sys
import time

from absl import app
from absl import flags
import tensorflow as tf

_REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _REPO_DIR not in sys.path:
  sys.path.insert(0, _REPO_DIR)

# pylint: disable=g-import-not-at-top
from longformer.inference import loading
from longformer.files import staged_output
from longformer.serving import saved_model_export
# pylint: enable=g-import-not-at-top

FLAGS = flags.FLAGS

flags.DEFINE_string('model_dir', None,
                    'A train.py --model_dir: its params.yaml and latest '
                    'checkpoint are exported.')
flags.DEFINE_string('checkpoint_path', None,
                    'A checkpoint prefix (e.g. <model_dir>/ckpt-300) instead '
                    'of the latest one in --model_dir.')
flags.DEFINE_string('params_yaml', None,
                    'The run\'s params.yaml; default <model_dir>/params.yaml.')
flags.DEFINE_string('output_dir', None,
                    'Where the SavedModel appears (an existing one is '
                    'refused unless --overwrite), e.g. '
                    '<base>/1 for TF Serving\'s version directory.')
flags.DEFINE_enum('experiment', None, list(loading.EXPERIMENTS),
                  'The run\'s experiment; default: read from params.yaml '
                  '(a task with validation_features_path is '
                  'longformer/squad).')
flags.DEFINE_bool('overwrite', False,
                  'Replace an existing --output_dir (its whole content).')
flags.DEFINE_integer('seq_length', None,
                     'Length of the examples `serve_examples` parses; '
                     'default task.train_data.seq_length.')


def _checkpoint() -> str:
  """The checkpoint prefix to export; raises if there is none."""
  if FLAGS.checkpoint_path:
    if not tf.io.gfile.exists(FLAGS.checkpoint_path + '.index'):
      raise FileNotFoundError(f'--checkpoint_path={FLAGS.checkpoint_path}: '
                              'no such checkpoint (expected <prefix>.index).')
    return FLAGS.checkpoint_path
  path = tf.train.latest_checkpoint(FLAGS.model_dir or '')
  if path is None:
    raise FileNotFoundError(f'--model_dir={FLAGS.model_dir} holds no '
                            'checkpoint; train first or pass '
                            '--checkpoint_path.')
  return path


def main(_):
  if not (FLAGS.model_dir or (FLAGS.checkpoint_path and FLAGS.params_yaml)):
    raise app.UsageError('Pass --model_dir, or --checkpoint_path and '
                         '--params_yaml.')
  if not FLAGS.output_dir:
    raise app.UsageError('Pass --output_dir.')
  start = time.time()
  checkpoint = _checkpoint()
  params = loading.read_params(
      FLAGS.params_yaml or os.path.join(FLAGS.model_dir, 'params.yaml'),
      FLAGS.experiment)
  seq_length = (params.task.train_data.seq_length if FLAGS.seq_length is None
                else FLAGS.seq_length)
  if seq_length < 1:
    raise app.UsageError(f'--seq_length={seq_length} must be a positive '
                         'integer (or omit it for task.train_data.seq_length).')
  kind = saved_model_export.model_kind(params)
  print(f'Exporting {checkpoint} ({kind}, examples of {seq_length} '
        'tokens)...', flush=True)
  try:
    diff, per_signature = saved_model_export.export(
        params, checkpoint, FLAGS.output_dir, seq_length, FLAGS.overwrite)
  except staged_output.OutputExistsError as e:
    raise SystemExit(f'FAILED: {e}') from None
  for name, reason in saved_model_export.omitted_signatures(params).items():
    print(f'Not exported: {name}: {reason}.')
  print(f'OK: SavedModel at {FLAGS.output_dir} (signatures '
        f'{", ".join(sorted(per_signature))}, each called and compared); '
        f'reloaded outputs match the Keras model (max abs diff {diff:.1e}); '
        f'{time.time() - start:.0f} s.')


if __name__ == '__main__':
  app.run(main)
