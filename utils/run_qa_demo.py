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

r"""Runs the offline long-document QA demo end to end: data, train.py, results.

1. Writes the demo data twice (utils/make_qa_demo_data.py: a question naming
   a key; the answer is the value word after that key, 64 or more tokens
   away in a 1,536 to 2,048-token context with 4 key -> value pairs):
   once with `input_mask` 2 on `<s>` and the question tokens, once with a
   0/1 mask.
2. Runs train.py --experiment=longformer/squad
   --config_file=experiments/demo_qa.yaml --mode=train_and_eval twice: with
   the question tokens global (`global_tokens: marked`, 3 slots), then with
   only `<s>` global (`global_tokens: first`, global_attention_size 1).
   The model has 1 layer, so the `<s>`-only run cannot learn the task
   (experiments/demo_qa.yaml says why); the gap is what global question
   tokens buy.
3. Prints the eval exact match, F1 and wall time of each run (read from the
   runs' summaries), a verdict, and with `--results_md` writes a Markdown
   table.

No network is needed. Usage, from the repository root:
  python3 utils/run_qa_demo.py --output_dir=/tmp/longformer_qa_demo
Each run's model_dir is <output_dir>/<name>. An existing non-empty
--output_dir (or --results_md) is refused unless --overwrite, which replaces
it whole, so every run starts from step 0. Its predictions are
<model_dir>/predictions.json and its log <model_dir>.log.
"""
import os
import sys
from typing import Dict, List

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.demos import runs

_REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_YAML = 'experiments/demo_qa.yaml'
# name -> (make_qa_demo_data --global_mode, encoder overrides).
RUNS = {
    'question_global': ('question', []),
    'first_token_global': ('first', [
        'task.model.encoder.any.global_tokens=first',
        'task.model.encoder.any.global_attention_size=1']),
}

FLAGS = flags.FLAGS
flags.DEFINE_string('output_dir', '/tmp/longformer_qa_demo',
                    'Data, model dirs and logs go here.')
flags.DEFINE_integer('train_steps', None,
                     'If set, overrides trainer.train_steps (and the decay).')
flags.DEFINE_bool('overwrite', False,
                  'Replace an existing --output_dir (its data, model dirs '
                  'and logs) and an existing --results_md.')
flags.DEFINE_string('results_md', None,
                    'If set, write the results table to this Markdown file.')






def _write_data(data_dir: str, global_mode: str) -> None:
  """Runs make_qa_demo_data.py with its defaults into data_dir."""
  runs.run([sys.executable,
            os.path.join(_REPO_DIR, 'utils', 'make_qa_demo_data.py'),
            f'--output_dir={data_dir}', f'--global_mode={global_mode}'],
           data_dir + '.log', _REPO_DIR)


def _train(name: str, output_dir: str) -> Dict:
  """Writes the run's data, runs train.py once; returns its results."""
  global_mode, encoder_overrides = RUNS[name]
  data_dir = os.path.join(output_dir, f'data_{global_mode}')
  _write_data(data_dir, global_mode)
  model_dir = os.path.join(output_dir, name)
  overrides = [
      f'task.train_data.input_path={data_dir}/train.tf_record',
      f'task.validation_data.input_path={data_dir}/eval.tf_record',
      f'task.validation_features_path={data_dir}/eval_features.jsonl',
  ] + encoder_overrides
  if FLAGS.train_steps:
    steps = FLAGS.train_steps
    overrides += [f'trainer.train_steps={steps}',
                  f'trainer.validation_interval={steps}',
                  f'trainer.checkpoint_interval={steps}',
                  'trainer.optimizer_config.learning_rate.polynomial.'
                  f'decay_steps={steps}']
  command = [
      sys.executable, os.path.join(_REPO_DIR, 'train.py'),
      '--experiment=longformer/squad', f'--config_file={_YAML}',
      '--params_override=' + ','.join(overrides),
      '--mode=train_and_eval', f'--model_dir={model_dir}'
  ]
  seconds = runs.run(command, model_dir + '.log', _REPO_DIR)
  scalar = runs.last_scalar
  validation = os.path.join(model_dir, 'validation')
  return {
      'name': name,
      'exact_match': scalar(validation, 'exact_match'),
      'f1': scalar(validation, 'final_f1'),
      'train_loss': scalar(os.path.join(model_dir, 'train'), 'training_loss'),
      'seconds': seconds,
      'predictions': os.path.join(model_dir, 'predictions.json'),
  }


def _table(results: List[Dict]) -> str:
  lines = ['| global tokens | eval exact match (256 questions) | eval F1 | '
           'final train loss | wall time of train.py |',
           '|---|---|---|---|---|']
  labels = {'question_global': '`<s>` + question (marked, 3 slots)',
            'first_token_global': '`<s>` only (first, 1 slot)'}
  for r in results:
    lines.append(f'| {labels[r["name"]]} | {100 * r["exact_match"]:.1f}% | '
                 f'{100 * r["f1"]:.1f}% | {r["train_loss"]:.3f} | '
                 f'{r["seconds"]:.0f} s |')
  return '\n'.join(lines)


def _markdown(results: List[Dict]) -> str:
  command = ('python3 utils/run_qa_demo.py --output_dir=/tmp/longformer_qa_'
             'demo --results_md=docs/qa_demo_results.md --overwrite')
  return '\n'.join([
      '# Offline QA demo results', '',
      runs.written_by(command), '',
      'Task (`utils/make_qa_demo_data.py`): the question is `ASK k`; the '
      'context holds 1,536 to 2,048 tokens of random filler with 4 key -> '
      'value pairs (4 of 8 keys, each key with its own 4 value words) at '
      'context positions 64 or later; the answer is the value word after '
      'key `k`. Model: '
      f'`{_YAML}`, 1 layer, hidden 32, window 32 (16 tokens each side), '
      'trained from random weights on 8,192 questions. Wall time is the '
      'whole `train.py` run: start-up, training, one evaluation and '
      'checkpoints.', '',
      _table(results), ''
  ])






def main(_):
  try:
    output_dir = runs.claim_outputs(FLAGS.output_dir, FLAGS.results_md,
                                    FLAGS.overwrite)
  except runs.staged_output.OutputExistsError as e:
    raise SystemExit(f'FAILED: {e}') from None
  results = [_train(name, output_dir) for name in RUNS]
  print(_table(results))
  if FLAGS.results_md:
    runs.write_results_md(FLAGS.results_md, _markdown(results),
                         FLAGS.overwrite)
  marked, first = results
  gap = 100 * (marked['exact_match'] - first['exact_match'])
  verdict = ('question tokens global answer better' if gap > 10 else
             'no clear difference: check the logs')
  print(f'VERDICT: {verdict}: exact match {100 * marked["exact_match"]:.1f}% '
        f'vs {100 * first["exact_match"]:.1f}% ({gap:+.1f} points). Runs, '
        f'logs and predictions.json under {output_dir}'
        + (f'; table in {FLAGS.results_md}' if FLAGS.results_md else '') + '.')


if __name__ == '__main__':
  app.run(main)
