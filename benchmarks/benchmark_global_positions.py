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

r"""Speed of global attention at chosen positions vs the first-N tokens.

Every configuration runs `run_one.py` in a fresh process (ours under XLA),
all configurations alternating in rounds so that load changes hit them
alike; the table holds each configuration's median over rounds. With
`--baseline_path` (a checkout of an earlier version of this project) the
same first-N configuration also runs on that code, for the before/after
ratio.

  python3 benchmarks/benchmark_global_positions.py --seq_length=4096 \
    --num_layers=12 --rounds=3 --baseline_path=/tmp/longformer_baseline \
    --output_dir=benchmarks/results_global

Writes `<output_dir>/results.json` and `results.md`.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

from absl import app
from absl import flags

FLAGS = flags.FLAGS
flags.DEFINE_integer('seq_length', 4096, 'Tokens per sequence (batch 1).')
flags.DEFINE_integer('num_layers', 12, 'Transformer blocks.')
flags.DEFINE_integer('attention_window', 512, 'The full, even window.')
flags.DEFINE_list('global_counts', ['1', '64'],
                  'Global token counts to measure (slots = count).')
flags.DEFINE_list('modes', ['forward', 'train'], 'forward and/or train.')
flags.DEFINE_integer('rounds', 3, 'Rounds of all configurations.')
flags.DEFINE_integer('repeats', 3, 'Timed runs per process (median).')
flags.DEFINE_integer('threads', 2, 'Intra-op threads.')
flags.DEFINE_string('baseline_path', '',
                    'Optional checkout of an earlier version (its first-N '
                    'configuration is measured beside ours).')
flags.DEFINE_string('output_dir', '',
                    'Where results.json and results.md go; default: a new '
                    'directory under the system temp dir (printed). Name '
                    'benchmarks/results_global to update the committed '
                    'tables.')

_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(_HERE)


def _configurations():
  """(label, code path, global_tokens, count, mode) for every run."""
  configs = []
  for mode in FLAGS.modes:
    for count in (int(c) for c in FLAGS.global_counts):
      if FLAGS.baseline_path:
        configs.append(('baseline', FLAGS.baseline_path, 'first', count,
                        mode))
      configs.append(('ours', _REPO, 'first', count, mode))
      configs.append(('ours', _REPO, 'marked', count, mode))
  return configs


def _run(code_path, global_tokens, count, mode):
  """One fresh-process measurement; its JSON line as a dict."""
  command = [sys.executable, os.path.join(_HERE, 'run_one.py'), '--impl=ours',
             f'--mode={mode}', f'--seq_length={FLAGS.seq_length}',
             f'--num_layers={FLAGS.num_layers}',
             f'--attention_window={FLAGS.attention_window}', '--jit_compile',
             f'--global_tokens={global_tokens}', f'--global_count={count}',
             f'--repeats={FLAGS.repeats}', f'--threads={FLAGS.threads}']
  env = dict(os.environ, PYTHONPATH=code_path, TF_CPP_MIN_LOG_LEVEL='2')
  out = subprocess.run(command, env=env, cwd=code_path, capture_output=True,
                       text=True, check=False)
  lines = [l for l in out.stdout.splitlines() if l.startswith('{')]
  if out.returncode or not lines:
    raise SystemExit(f'{" ".join(command)} failed:\n{out.stderr[-3000:]}')
  return json.loads(lines[-1])


def _table(medians):
  """Markdown rows: tokens/s per configuration and the ratios."""
  rows = ['| mode | global tokens | before: first-N tok/s | first-N tok/s | '
          'at spread positions tok/s | first-N now / before | spread / '
          'first-N |', '|---|---|---|---|---|---|---|']
  for mode in FLAGS.modes:
    for count in (int(c) for c in FLAGS.global_counts):
      base = medians.get(('baseline', 'first', count, mode))
      first = medians[('ours', 'first', count, mode)]
      marked = medians[('ours', 'marked', count, mode)]
      rows.append(
          f'| {mode} | {count} | {base:.0f} | ' if base else
          f'| {mode} | {count} | - | ')
      rows[-1] += (f'{first:.0f} | {marked:.0f} | ' +
                   (f'{first / base:.3f} | ' if base else '- | ') +
                   f'{marked / first:.3f} |')
  return '\n'.join(rows)


def main(argv):
  del argv
  FLAGS.output_dir = FLAGS.output_dir or tempfile.mkdtemp(
      prefix='longformer_global_positions_')
  print(f'Writing to {FLAGS.output_dir}', flush=True)
  configs = _configurations()
  samples = {}
  for round_index in range(FLAGS.rounds):
    for label, path, tokens, count, mode in configs:
      result = _run(path, tokens, count, mode)
      key = (label, tokens, count, mode)
      samples.setdefault(key, []).append(result['tokens_per_s'])
      print(f'round {round_index + 1}/{FLAGS.rounds} {label} {tokens} '
            f'G={count} {mode}: {result["tokens_per_s"]:.1f} tok/s',
            flush=True)
  medians = {k: statistics.median(v) for k, v in samples.items()}
  os.makedirs(FLAGS.output_dir, exist_ok=True)
  text = (f'{FLAGS.seq_length} tokens, {FLAGS.num_layers} layers, hidden '
          f'768, window {FLAGS.attention_window}, batch 1, float32, XLA, '
          f'{FLAGS.threads} threads; medians of {FLAGS.rounds} fresh-process '
          f'rounds (each the median of {FLAGS.repeats} runs).\n\n' +
          _table(medians) + '\n')
  for name, content in (('results.json', json.dumps(
      [dict(label=k[0], global_tokens=k[1], global_count=k[2], mode=k[3],
            tokens_per_s=v) for k, v in samples.items()], indent=1)),
                        ('results.md', text)):
    with tempfile.NamedTemporaryFile('w', dir=FLAGS.output_dir,
                                     delete=False) as f:
      f.write(content)
    os.replace(f.name, os.path.join(FLAGS.output_dir, name))
  print(text)
  print(f'Done: results in {os.path.abspath(FLAGS.output_dir)}/results.md')


if __name__ == '__main__':
  app.run(main)
