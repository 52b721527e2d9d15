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

r"""Runs the offline long-range demo end to end: data, train.py, results.

1. Writes the demo TFRecords (utils/make_demo_data.py: 1,024-token sequences
   whose label is carried only by tokens at position 64 or later).
2. Runs train.py --experiment=longformer/glue
   --config_file=experiments/demo_long_range.yaml --mode=train_and_eval
   once per `--global_attention_sizes` value (default: 1, then 0). The window
   is 32 on both layers, so without a global token `<s>` cannot see the label.
3. Prints the eval accuracy and wall time of each run, read from the runs'
   summaries, a verdict line (does global attention solve what the local
   window cannot?) and where the model dirs and TensorBoard logs are; with
   `--results_md` it writes the table as Markdown. It exits non-zero when
   the verdict is negative.

No network is needed. Usage, from the repository root:
  python3 utils/run_demo.py --output_dir=/tmp/longformer_demo
Each run's model_dir is <output_dir>/global_attention_<G>. An existing
non-empty --output_dir (or --results_md) is refused unless --overwrite, which
replaces it whole, so every run starts from step 0.
"""
import os
import sys
import time
from typing import Dict
from typing import List
from typing import Tuple

from absl import app
from absl import flags
import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.demos import runs

_REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_YAML = 'experiments/demo_long_range.yaml'

FLAGS = flags.FLAGS

flags.DEFINE_string('output_dir', '/tmp/longformer_demo',
                    'Data, model dirs and logs go here.')
flags.DEFINE_list('global_attention_sizes', ['1', '0'],
                  'One train.py run per value of '
                  'task.model.encoder.any.global_attention_size.')
flags.DEFINE_bool('overwrite', False,
                  'Replace an existing --output_dir (its data, model dirs '
                  'and logs) and an existing --results_md.')
flags.DEFINE_string('results_md', None,
                    'If set, write the results table to this Markdown file.')




def _write_data(data_dir: str) -> Dict[str, str]:
  """Runs make_demo_data.py with its defaults; returns the record paths."""
  tf.io.gfile.makedirs(data_dir)
  runs.run([sys.executable,
            os.path.join(_REPO_DIR, 'utils', 'make_demo_data.py'),
            f'--output_dir={data_dir}', '--overwrite'],
           os.path.join(data_dir, 'make_data.log'), _REPO_DIR)
  return {'train': os.path.join(data_dir, 'demo_train.tf_record'),
          'eval': os.path.join(data_dir, 'demo_eval.tf_record')}




def _train(global_size: int, paths: Dict[str, str], output_dir: str) -> Dict:
  """Runs train.py once; returns its accuracy, loss and wall time."""
  model_dir = os.path.join(output_dir, f'global_attention_{global_size}')
  command = [
      sys.executable, os.path.join(_REPO_DIR, 'train.py'),
      '--experiment=longformer/glue', f'--config_file={_YAML}',
      '--params_override=' + ','.join([
          f'task.train_data.input_path={paths["train"]}',
          f'task.validation_data.input_path={paths["eval"]}',
          f'task.model.encoder.any.global_attention_size={global_size}']),
      '--mode=train_and_eval', f'--model_dir={model_dir}'
  ]
  seconds = runs.run(command, model_dir + '.log', _REPO_DIR)
  return {
      'global_size': global_size,
      'accuracy': runs.last_scalar(os.path.join(model_dir, 'validation'),
                               'cls_accuracy'),
      'train_loss': runs.last_scalar(os.path.join(model_dir, 'train'),
                                 'training_loss'),
      'seconds': seconds,
  }


# A 2-class task: chance is 50%. "Solved" and "chance" are read with margin
# for the 512-example eval set (one standard error of a coin is 2.2%).
_SOLVED_ACCURACY = 0.9
_CHANCE_ACCURACY_MAX = 0.65


def verdict(results: List[Dict]) -> Tuple[bool, str]:
  """Whether global attention solved the task the local window cannot."""
  by_size = {r['global_size']: r['accuracy'] for r in results}
  if 0 not in by_size or not any(size > 0 for size in by_size):
    return True, ('Verdict: no comparison (run both a global size > 0 and 0 '
                  'to see the effect of global attention).')
  with_global = max(acc for size, acc in by_size.items() if size > 0)
  ok = (with_global >= _SOLVED_ACCURACY and
        by_size[0] <= _CHANCE_ACCURACY_MAX)
  outcome = ('PASS: global attention solves the task the local window '
             'cannot' if ok else 'UNEXPECTED: the runs do not show the '
             'expected gap')
  return ok, (f'Verdict: {outcome} ({100 * with_global:.1f}% with a global '
              f'token vs {100 * by_size[0]:.1f}% without; chance is 50%).')


def _table(results: List[Dict]) -> str:
  lines = ['Eval accuracy after 300 steps, per global_attention_size:', '',
           '| global_attention_size | eval accuracy (512 examples) | '
           'final train loss | wall time of train.py |',
           '|---|---|---|---|']
  for r in results:
    lines.append(f'| {r["global_size"]} | {100 * r["accuracy"]:.1f}% | '
                 f'{r["train_loss"]:.3f} | {r["seconds"]:.0f} s |')
  return '\n'.join(lines)


def _markdown(results: List[Dict]) -> str:
  command = ('python3 utils/run_demo.py --output_dir=/tmp/longformer_demo '
             '--results_md=docs/demo_results.md --overwrite')
  return '\n'.join([
      '# Offline demo results', '',
      runs.written_by(command), '',
      'Task: 1,024-token sequences (768 to 1,024 real tokens); the label is '
      'which of two marker tokens appears, 32 times, at positions 64 or '
      'later; the first 64 tokens are random filler. Model: '
      f'`{_YAML}`, 2 layers, hidden 32, window 32 (16 tokens each side, so '
      '`<s>` reaches token 32 at most through the local band), 300 steps of '
      'batch 16 from random weights. Wall time is the whole `train.py` run: '
      'start-up, training, one evaluation and checkpoints.', '',
      _table(results), ''
  ])


def _where(results: List[Dict], output_dir: str) -> str:
  dirs = [os.path.join(output_dir, f'global_attention_{r["global_size"]}')
          for r in results]
  return '\n'.join(
      ['Results: each model dir holds params.yaml, the checkpoint and '
       'TensorBoard summaries (train/, validation/); its log is <dir>.log:']
      + [f'  {d}' for d in dirs]
      + [f'TensorBoard: tensorboard --logdir={output_dir}'])






def main(_):
  try:
    output_dir = runs.claim_outputs(FLAGS.output_dir, FLAGS.results_md,
                                    FLAGS.overwrite)
  except runs.staged_output.OutputExistsError as e:
    raise SystemExit(f'FAILED: {e}') from None
  start = time.time()
  paths = _write_data(os.path.join(output_dir, 'data'))
  results = [
      _train(int(size), paths, output_dir)
      for size in FLAGS.global_attention_sizes
  ]
  print(_table(results))
  print(_where(results, output_dir))
  if FLAGS.results_md:
    runs.write_results_md(FLAGS.results_md, _markdown(results),
                         FLAGS.overwrite)
    print(f'Table written to {FLAGS.results_md}')
  ok, line = verdict(results)
  print(f'Whole demo: {time.time() - start:.0f} s. {line}')
  if not ok:
    sys.exit(1)


if __name__ == '__main__':
  app.run(main)
