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

"""The fine-tuning benchmark's outputs: ratios, markdown table, bar plot.

Each result is a dict as finetune_worker.py prints it, plus `shape`,
`wall_s`, `load_before` and `ratio_to_hf` (tokens/s over HF's at the same
shape and dtype), added by `add_ratios`.
"""
import os
from typing import Dict, List, Optional

Result = Dict[str, object]
LABELS = ('ours trainer', 'ours XLA', 'HF PyTorch')
COLORS = dict(zip(LABELS, ('tab:green', 'tab:blue', 'tab:orange')))
COLUMNS = ('shape', 'tokens', 'window', 'classes', 'batch', 'implementation',
           'dtype', 'runs', 'median step s', 'tokens/s', 'ours/HF',
           'peak RSS GiB', 'note')


def label(result: Result) -> str:
  """'ours trainer', 'ours XLA' or 'HF PyTorch'."""
  if result['impl'] == 'hf':
    return 'HF PyTorch'
  return 'ours XLA' if result['ours_step'] == 'xla' else 'ours trainer'


def outcome(result: Result) -> str:
  """One progress line's result: speed, or the failure."""
  if result['status'] != 'ok':
    return f'{result["status"]}: {result.get("error")}'
  return (f'{result["tokens_per_s"]:.1f} tokens/s, {result["median_s"]:.2f} '
          f's/step, peak {result["peak_rss_gib"]:.2f} GiB '
          f'({result["wall_s"]:.0f} s)')


def add_ratios(results: Result) -> None:
  """Adds ratio_to_hf to every ok run of ours."""
  hf = {(r['shape'], r['dtype']): r['tokens_per_s'] for r in results['runs']
        if r['impl'] == 'hf' and r['status'] == 'ok'}
  for r in results['runs']:
    reference = hf.get((r['shape'], r['dtype']))
    if r['impl'] == 'ours' and r['status'] == 'ok' and reference:
      r['ratio_to_hf'] = r['tokens_per_s'] / reference


def cell(result: Result, key: str, pattern: str) -> str:
  value = result.get(key)
  return '' if value is None else pattern.format(value)


def table_row(r: Result) -> str:
  ok = r['status'] == 'ok'
  cells = (r['shape'], cell(r, 'seq_length', '{}'),
           cell(r, 'attention_window', '{}'), cell(r, 'num_classes', '{}'),
           cell(r, 'batch_size', '{}'), label(r), r['dtype'],
           str(len(r['times_s'])) if ok else '',
           cell(r, 'median_s', '{:.3g}'), cell(r, 'tokens_per_s', '{:.1f}'),
           cell(r, 'ratio_to_hf', '{:.2f}x'), cell(r, 'peak_rss_gib', '{:.2f}'),
           '' if ok else f'{r["status"]}: {r.get("error", "")}')
  return '| ' + ' | '.join(cells) + ' |'


def write_markdown(results: Result, path: str) -> None:
  """The command, machine and one row per run, written atomically."""
  machine = results['machine']
  versions = ', '.join(f'{k} {v}' for k, v in machine['versions'].items())
  lines = [
      '# Longformer fine-tuning step benchmark', '',
      f'Command: `{results["command"]}`', '',
      f'- Machine: {machine["cpu"]}, {machine["cpu_count"]} CPUs, '
      f'{machine["memory_gib"]:.0f} GiB; {machine["threads"]} threads per '
      f'framework; date {machine["date"]}.',
      f'- Software: Python {machine["python"]}, {versions}.',
      f'- num_layers {results["flags"]["num_layers"]}, Longformer-base sizes, '
      'random weights, dropout 0.1 (the recipes\'), first token global. One '
      'step = forward, cross-entropy loss, backward, AdamW update '
      '(finetune_worker.py). ours trainer = Model Garden\'s trainer as '
      'train.py runs it (tf.function; no XLA on a CPU); ours XLA = '
      'Task.train_step under jit_compile=True; HF = '
      'LongformerForSequenceClassification + torch.optim.AdamW, bfloat16 by '
      'autocast. median over "runs" timed steps after one warm-up; tokens/s '
      '= batch x tokens / median step.', '',
      '| ' + ' | '.join(COLUMNS) + ' |', '|' + '---|' * len(COLUMNS)]
  lines += [table_row(r) for r in results['runs']]
  with open(path + '.tmp', 'w') as f:
    f.write('\n'.join(lines) + '\n')
  os.replace(path + '.tmp', path)


def write_plot(results: Result, path: str) -> None:
  """Bars of tokens/s per (shape, dtype), one bar per implementation."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  from matplotlib import pyplot  # pylint: disable=g-import-not-at-top
  groups = sorted({(r['shape'], r['dtype']) for r in results['runs']})
  figure, axis = pyplot.subplots(figsize=(10, 5))
  width = 0.8 / len(LABELS)
  for offset, name in enumerate(LABELS):
    speeds = [speed(results, group, name) for group in groups]
    positions = [i + offset * width for i in range(len(groups))]
    axis.bar(positions, [s or 0 for s in speeds], width, label=name,
             color=COLORS[name])
  axis.set_xticks([i + width for i in range(len(groups))])
  axis.set_xticklabels([f'{shape}, {dtype}' for shape, dtype in groups])
  axis.set_ylabel('tokens / s (higher is better)')
  axis.legend()
  axis.set_title(f'Fine-tuning step, num_layers '
                 f'{results["flags"]["num_layers"]}: '
                 f'{results["machine"]["cpu"]}', fontsize=10)
  figure.tight_layout()
  figure.savefig(path + '.tmp.png', dpi=120)
  pyplot.close(figure)
  os.replace(path + '.tmp.png', path)


def speed(results: Result, group: tuple, name: str) -> Optional[float]:
  """tokens/s of implementation `name` at (shape, dtype), or None."""
  for r in results['runs']:
    if ((r['shape'], r['dtype']) == group and label(r) == name and
        r['status'] == 'ok'):
      return r['tokens_per_s']
  return None


def verdict(results: Result) -> str:
  """e.g. 'ours trainer / HF: mnli float32 2.10x, ...; 1 of 12 runs failed'."""
  ratios = [f'{r["shape"]} {r["dtype"]} {label(r)} {r["ratio_to_hf"]:.2f}x'
            for r in results['runs'] if r.get('ratio_to_hf')]
  failed = sum(r['status'] != 'ok' for r in results['runs'])
  line = 'ours/HF: ' + ('; '.join(ratios) if ratios else 'none measured')
  return line + f'; {failed} of {len(results["runs"])} runs failed'
