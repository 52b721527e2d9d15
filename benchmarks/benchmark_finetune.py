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

r"""The real fine-tuning step: ours through Model Garden vs HF PyTorch.

  python3 benchmarks/benchmark_finetune.py --shapes=mnli,long \
      --num_layers=12 --dtypes=float32,bfloat16 --mnli_batch_size=8 \
      --repeats=3 --output_dir=benchmarks/results_finetune

One step = forward, loss, backward and the optimizer update (finetune_worker.py
says exactly what each side runs). Ours: `SentencePredictionTask` of the
registered `longformer/glue` experiment with the recipe's YAML, through
Model Garden's trainer as train.py runs it (`ours trainer`: a tf.function,
no XLA on a CPU) and, with `--ours_steps` containing xla, the same
`Task.train_step` under `jit_compile=True` (`ours XLA`). HF:
`LongformerForSequenceClassification` + `torch.optim.AdamW` with the
recipe's learning rate, warmup and decay steps and the experiment's betas,
epsilon and weight decay (read from the same config), cross-entropy loss.

Shapes (`--shapes`), Longformer-base sizes with `--num_layers` layers:
  mnli  experiments/glue_mnli_allenai.yaml: 512 tokens, window 128, 3
        classes, batch `--mnli_batch_size` (default 8);
  long  experiments/hyperpartisan_4096.yaml: `--long_seq_length` tokens
        (default 4096), window 512, 2 classes, batch 1.
Dtypes: float32 and bfloat16 (ours: mixed_bfloat16 via
`runtime.mixed_precision_dtype`; HF: autocast). Every configuration runs in
a fresh process (one warm-up step, then `--repeats` timed steps, median);
implementations alternate within each shape and dtype so that load drift
hits both. ours/HF = ours tokens/s / HF tokens/s, same shape and dtype.

Writes results.json (rewritten after every worker), results.md and
finetune.png into `--output_dir`, failed workers' stderr into its logs/;
`--report_only` rewrites results.md and the plot from results.json.
"""
import json
import os
import sys
from typing import Dict, List

from absl import app
from absl import flags

import finetune_report
import report
import workers

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_PATH = os.path.join(HERE, 'finetune_worker.py')
RECIPES = {
    'mnli': dict(config_file='experiments/glue_mnli_allenai.yaml',
                 seq_length=512, attention_window=128, num_classes=3),
    'long': dict(config_file='experiments/hyperpartisan_4096.yaml',
                 seq_length=4096, attention_window=512, num_classes=2,
                 batch_size=1),
}
OURS_STEPS = ('trainer', 'xla')
DTYPES = ('float32', 'bfloat16')
FLAG_NAMES = ('shapes', 'num_layers', 'dtypes', 'mnli_batch_size',
              'long_seq_length', 'ours_steps', 'repeats', 'threads',
              'timeout')

FLAGS = flags.FLAGS
flags.DEFINE_list('shapes', list(RECIPES), 'mnli and/or long.')
flags.DEFINE_integer('num_layers', 12, 'Transformer blocks (fewer = quick).')
flags.DEFINE_list('dtypes', list(DTYPES), 'float32 and/or bfloat16.')
flags.DEFINE_integer('mnli_batch_size', 8, 'Rows per step, mnli shape.')
flags.DEFINE_integer('long_seq_length', 4096, 'Tokens per row, long shape.')
flags.DEFINE_list('ours_steps', list(OURS_STEPS),
                  "trainer (train.py's way) and/or xla (jit_compile=True).")
flags.DEFINE_integer('repeats', 3, 'Timed steps per configuration.')
flags.DEFINE_integer('threads', 2, 'Intra-op threads for either framework.')
flags.DEFINE_integer('timeout', 3600, 'Seconds before a worker is killed.')
flags.DEFINE_string('output_dir', '',
                    'Where results.{json,md} and finetune.png go; default: '
                    'a new directory under the system temp dir (printed). Name '
                    'benchmarks/results_finetune to update the committed '
                    'tables.')
flags.DEFINE_bool('report_only', False,
                  'Run nothing: rewrite results.md and finetune.png from '
                  '<output_dir>/results.json.')


def shape_args(shape: str) -> Dict[str, object]:
  """The sizes of one shape, with the flags' batch and length applied."""
  recipe = dict(RECIPES[shape])
  if shape == 'mnli':
    recipe['batch_size'] = FLAGS.mnli_batch_size
  else:
    recipe['seq_length'] = FLAGS.long_seq_length
  recipe['config_file'] = os.path.join(os.path.dirname(HERE),
                                       recipe['config_file'])
  return recipe


def hf_recipe_args(config_file: str) -> List[str]:
  """HF's AdamW, schedule and position-table flags from our config."""
  from official.core import exp_factory  # pylint: disable=g-import-not-at-top
  # pylint: disable-next=g-import-not-at-top
  from official.modeling.hyperparams import params_dict
  import longformer  # pylint: disable=g-import-not-at-top,unused-import
  params = params_dict.override_params_dict(
      exp_factory.get_exp_config('longformer/glue'), config_file,
      is_strict=True)
  optimizer = params.trainer.optimizer_config
  adamw = optimizer.optimizer.adamw
  schedule = optimizer.learning_rate.polynomial
  return [
      f'--learning_rate={schedule.initial_learning_rate}',
      f'--decay_steps={schedule.decay_steps}',
      f'--warmup_steps={optimizer.warmup.polynomial.warmup_steps}',
      f'--weight_decay={adamw.weight_decay_rate}',
      f'--epsilon={adamw.epsilon}',
      f'--betas={adamw.beta_1},{adamw.beta_2}',
      '--max_position_embeddings='
      f'{params.task.model.encoder.any.max_position_embeddings}']


def plan_runs() -> List[Dict[str, object]]:
  """(worker flags, description) of every run, alternating within groups."""
  runs = []
  for shape in FLAGS.shapes:
    sizes = shape_args(shape)
    common = [f'--{k}={v}' for k, v in sizes.items()] + [
        f'--num_layers={FLAGS.num_layers}', f'--repeats={FLAGS.repeats}',
        f'--threads={FLAGS.threads}']
    hf_recipe = hf_recipe_args(sizes['config_file'])
    for dtype in FLAGS.dtypes:
      ours = [dict(shape=shape, impl='ours', ours_step=step, dtype=dtype,
                   args=common + ['--impl=ours', f'--ours_step={step}',
                                  f'--dtype={dtype}'])
              for step in FLAGS.ours_steps]
      hf = dict(shape=shape, impl='hf', dtype=dtype,
                args=(common + hf_recipe +
                      ['--impl=hf', f'--dtype={dtype}']))
      runs += [ours[0], hf] + ours[1:]
  return runs


def validate_flags() -> None:
  """Raises ValueError for flag values the workers cannot run."""
  choices = {'shapes': tuple(RECIPES), 'dtypes': DTYPES,
             'ours_steps': OURS_STEPS}
  for name, allowed in choices.items():
    values = FLAGS[name].value
    if not values or set(values) - set(allowed):
      raise ValueError(f'--{name}={",".join(values)} must be a non-empty '
                       f'subset of {",".join(allowed)}.')


def run_all() -> Dict[str, object]:
  """Runs every configuration, saving results.json after each."""
  schedule = plan_runs()
  results = {'machine': report.machine_info(FLAGS.threads),
             'command': report.command_line(sys.argv),
             'flags': {f: FLAGS[f].value for f in FLAG_NAMES}, 'runs': []}
  path = os.path.join(FLAGS.output_dir, 'results.json')
  for index, run in enumerate(schedule, 1):
    name = f'{finetune_report.label(run)} {run["dtype"]} {run["shape"]}'
    print(f'[{index}/{len(schedule)}] {name}: start', flush=True)
    log = os.path.join(FLAGS.output_dir, 'logs',
                       name.replace(' ', '_') + '.log')
    result = workers.run_worker(WORKER_PATH, run.pop('args'), FLAGS.threads,
                                FLAGS.timeout, log)
    result.update(run)
    print(f'[{index}/{len(schedule)}] {name}: '
          f'{finetune_report.outcome(result)}', flush=True)
    results['runs'].append(result)
    workers.write_json_atomically(results, path)
  results['machine']['load_after'] = os.getloadavg()
  return results


def main(argv: List[str]) -> None:
  del argv
  validate_flags()
  if FLAGS.report_only and not FLAGS.output_dir:
    raise app.UsageError('--report_only needs --output_dir (the folder '
                         'holding results.json).')
  FLAGS.output_dir = workers.output_dir_or_fresh(FLAGS.output_dir, 'finetune')
  print(f'Writing to {FLAGS.output_dir}', flush=True)
  os.makedirs(FLAGS.output_dir, exist_ok=True)
  path = os.path.join(FLAGS.output_dir, 'results.json')
  if FLAGS.report_only:
    with open(path) as f:
      results = json.load(f)
  else:
    results = run_all()
  finetune_report.add_ratios(results)
  workers.write_json_atomically(results, path)
  finetune_report.write_markdown(
      results, os.path.join(FLAGS.output_dir, 'results.md'))
  finetune_report.write_plot(
      results, os.path.join(FLAGS.output_dir, 'finetune.png'))
  print(f'{finetune_report.verdict(results)}. Wrote results.md, results.json '
        f'and finetune.png to {FLAGS.output_dir}')


if __name__ == '__main__':
  app.run(main)
