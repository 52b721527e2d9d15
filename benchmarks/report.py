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

"""The encoder benchmark's outputs: machine description, markdown tables.

Each result is a dict as `run_one.py` prints it, plus `wall_s`,
`load_before` and the derived numbers `encoder_ratios.py` adds. Results
written before dtypes were recorded have no `dtype`: they count as float32.
The plot is in report_plot.py.
"""
import datetime
import importlib.metadata
import os
import platform
import shlex
from typing import Dict, List, Optional, Sequence

Result = Dict[str, object]

PACKAGES = ('tensorflow', 'tf_keras', 'torch', 'transformers')
MODE_ORDER = ('forward', 'train')
DTYPE_ORDER = ('float32', 'bfloat16')
LABEL_ORDER = ('ours XLA', 'ours graph', 'ours XLA + ckpt',
               'ours graph + ckpt', 'HF PyTorch', 'HF PyTorch autocast',
               'HF PyTorch cast', 'original port XLA')
COLUMNS = ('tokens', 'implementation', 'dtype', 'mode', 'runs', 'median s',
           'tokens/s', 'ours/HF', 'ours/original', 'bf16/fp32', 'of matmul',
           'max abs diff vs fp32', 'peak RSS GiB', 'timed-run peak GiB',
           'model GiB', 'note')
NOT_RUN = 'not run'  # memory_guard.NOT_RUN: projected over the limit.
NOT_GIVEN = ('not given: run with --original_port_path=<folder of Model '
             "Garden's official/projects/longformer files> to measure it")


def dtype_of(result: Result) -> str:
  """The run's dtype; float32 for results recorded before dtypes were."""
  return result.get('dtype') or 'float32'


def label(result: Result) -> str:
  """The implementation's display name, e.g. 'ours XLA + ckpt'."""
  if result['impl'] == 'hf':
    form = result.get('hf_bf16') if dtype_of(result) == 'bfloat16' else None
    return f'HF PyTorch {form}' if form else 'HF PyTorch'
  if result['impl'] == 'matmul':
    return 'matmul'
  if result['impl'] == 'original':
    return 'original port XLA'
  name = 'ours XLA' if result['jit_compile'] else 'ours graph'
  return name + (' + ckpt' if result['gradient_checkpointing'] else '')


def family(result: Result) -> str:
  """The label without HF's bfloat16 form: what a bf16/fp32 ratio pairs."""
  return 'HF PyTorch' if result['impl'] == 'hf' else label(result)


def cpu_model() -> str:
  """The CPU model name from /proc/cpuinfo, or the platform's guess."""
  try:
    with open('/proc/cpuinfo') as f:
      for line in f:
        if line.startswith('model name'):
          return line.split(':', 1)[1].strip()
  except OSError:
    pass
  return platform.processor() or 'unknown'


def memory_gib() -> float:
  """Total memory of the machine in GiB (0 where /proc is missing)."""
  try:
    with open('/proc/meminfo') as f:
      return int(f.readline().split()[1]) / 2**20
  except (OSError, IndexError, ValueError):
    return 0.0


def machine_info(threads: int) -> Dict[str, object]:
  """CPU, memory, threads, package versions, date and load."""
  versions = {}
  for package in PACKAGES:
    try:
      versions[package] = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
      versions[package] = 'not installed'
  return {'cpu': cpu_model(), 'cpu_count': os.cpu_count(),
          'memory_gib': memory_gib(), 'threads': threads,
          'python': platform.python_version(), 'versions': versions,
          'date': datetime.datetime.now().astimezone().isoformat(
              timespec='seconds'),
          'load_before': os.getloadavg()}


def command_line(argv: Sequence[str]) -> str:
  """The command as typed, quoted for a shell."""
  return ' '.join(['python3'] + [shlex.quote(arg) for arg in argv])


def sort_key(result: Result):
  """Mode, then length, then dtype, then implementation."""
  return (MODE_ORDER.index(result['mode']), result['seq_length'],
          DTYPE_ORDER.index(dtype_of(result)),
          LABEL_ORDER.index(label(result)))


def number(result: Result, key: str, pattern: str) -> str:
  """result[key] formatted with `pattern`, or '' where it is missing."""
  value = result.get(key)
  return '' if value is None else pattern.format(value)


def table_row(result: Result) -> str:
  """One markdown table row."""
  ok = result['status'] == 'ok'
  note = '' if ok else f'{result["status"]}: {result.get("error", "")}'
  cells = (str(result['seq_length']), label(result), dtype_of(result),
           result['mode'], str(len(result['times_s'])) if ok else '',
           number(result, 'median_s', '{:.3g}'),
           number(result, 'tokens_per_s', '{:.1f}'),
           number(result, 'ratio_to_hf', '{:.2f}x'),
           number(result, 'ratio_to_original', '{:.2f}x'),
           number(result, 'ratio_to_float32', '{:.2f}x'),
           number(result, 'matmul_fraction', '{:.0%}'),
           number(result, 'max_abs_diff_vs_float32', '{:.3g}'),
           number(result, 'peak_rss_gib', '{:.2f}'),
           number(result, 'run_peak_rss_gib', '{:.2f}'),
           number(result, 'model_rss_gib', '{:.2f}'), note)
  return '| ' + ' | '.join(cells) + ' |'


def matmul_line(results: Result) -> str:
  """The yardstick readings of every dtype, e.g. 'float32 177.5, 175.1'."""
  readings = {}
  for m in results['matmul']:
    readings.setdefault(dtype_of(m), []).append(
        number(m, 'gflops', '{:.1f}') or m['status'])
  return '; '.join(f'{dtype} {", ".join(values)}'
                   for dtype, values in readings.items())


def original_port_line(results: Result) -> str:
  """Where the original port's rows came from, or why there are none."""
  path = results['flags'].get('original_port_path')
  if path:
    return (f"- Original port: Model Garden's official/projects/longformer "
            f'from `{path}`, under `jit_compile=True`, mixed_bfloat16 for '
            'bfloat16.')
  return f'- Original port: {NOT_GIVEN}.'


def header_lines(results: Result) -> List[str]:
  """The command, machine and model description above the tables."""
  machine, run_flags = results['machine'], results['flags']
  versions = ', '.join(f'{k} {v}' for k, v in machine['versions'].items())
  load = lambda key: ' '.join(f'{x:.2f}' for x in machine.get(key, ()))
  dtypes = ', '.join(run_flags.get('dtypes') or ['float32'])
  return [
      '# Longformer encoder benchmark', '',
      f'Command: `{results["command"]}`', '',
      f'- Machine: {machine["cpu"]}, {machine["cpu_count"]} CPUs, '
      f'{machine["memory_gib"]:.0f} GiB; {machine["threads"]} threads per '
      'framework; load average (1/5/15 min) before '
      f'{load("load_before")}, after {load("load_after")}.',
      f'- Software: Python {machine["python"]}, {versions}.',
      f'- Date: {machine["date"]}.',
      f'- Model: num_layers {run_flags["num_layers"]}, hidden 768, 12 heads, '
      f'inner 3072, attention_window {run_flags["attention_window"]}, first '
      f'token global, batch 1, dtypes {dtypes}, random weights, dropout 0. '
      'bfloat16: ours and the original port under the mixed_bfloat16 '
      'policy; HF with torch.autocast (autocast) or model.to(bfloat16) '
      '(cast).',
      original_port_line(results),
      f'- Matmul yardstick (4096x768 @ 768x3072, TensorFlow), GFLOP/s at '
      f'start and end: {matmul_line(results)}. "of matmul" = model FLOPs per '
      f'token ({results["forward_flops_per_token"] / 1e6:.0f} MFLOP forward, '
      '3x for train; formula in encoder_ratios.py) x tokens/s / the higher '
      'matmul reading of the same dtype.',
      '- forward = inference; train = forward + backward of the sum of '
      'sequence_output w.r.t. all weights. median s over "runs" timed runs '
      'after one warm-up. ours/HF: against the faster HF form of the same '
      'dtype; bf16/fp32: the same implementation\'s bfloat16 over float32 '
      'speed; max abs diff vs fp32: bfloat16 sequence_output against the '
      'same weights in float32, same inputs.',
      '- peak RSS: whole process (ru_maxrss), including XLA compilation; '
      'timed-run peak: peak during the timed runs only; model: RSS once the '
      'model is built.'] + memory_guard_lines(results) + ['']


def memory_guard_lines(results: Result) -> List[str]:
  """The memory limit and how many runs it kept from starting."""
  limit = results['flags'].get('memory_limit_gib')
  if not limit:  # Results from before the guard.
    return []
  not_run = sum(r['status'] == NOT_RUN for r in results['runs'])
  return [f'- Memory guard: limit {limit:.1f} GiB. A configuration whose '
          'peak RSS, projected from its shorter measured lengths '
          '(memory_guard.py), exceeds it, or whose shorter length was '
          'killed, is not run; a worker passing it is killed: '
          f'{not_run} such row(s), each with the reason in the note.']


def best(results: Result, impl: str, mode: str, seq_length: int,
         dtype: str) -> Optional[Result]:
  """The fastest ok run of `impl` at this configuration (ours: XLA or
  graph, whichever was faster; without gradient checkpointing)."""
  candidates = [
      r for r in results['runs']
      if r['impl'] == impl and r['status'] == 'ok' and r['mode'] == mode
      and r['seq_length'] == seq_length and dtype_of(r) == dtype and
      not r.get('gradient_checkpointing')]
  return max(candidates, key=lambda r: r['tokens_per_s'], default=None)


def failed(results: Result, impl: str, mode: str, dtype: str) -> bool:
  """True if a run of `impl` in this mode and dtype failed."""
  return any(r['impl'] == impl and r['status'] not in ('ok', NOT_RUN) and
             r['mode'] == mode and dtype_of(r) == dtype
             for r in results['runs'])


def summary_cell(ours: Optional[Result], peer: Optional[Result]) -> str:
  """'681 (XLA) / 289 tok/s = 2.36x', or why a number is missing."""
  if ours is None or peer is None:
    return 'not measured' if peer is None else 'ours not measured'
  mode = ''
  if ours['impl'] == 'ours':
    mode = ' (XLA)' if ours['jit_compile'] else ' (graph)'
  return (f'{ours["tokens_per_s"]:.0f}{mode} / {peer["tokens_per_s"]:.0f} '
          f'tok/s = {ours["tokens_per_s"] / peer["tokens_per_s"]:.2f}x')


def summary_lines(results: Result) -> List[str]:
  """Ours (its faster mode) against each peer, one table per speed length,
  longest first."""
  lines = []
  for length in sorted({int(n) for n in
                        results['flags'].get('seq_lengths') or []},
                       reverse=True):
    lines += length_summary_lines(results, length)
  return lines


def length_summary_lines(results: Result, longest: int) -> List[str]:
  """The summary table at one sequence length."""
  lines = [f'## Summary at {longest} tokens (ours: the faster of XLA and '
           'graph)', '',
           '| dtype | peer | forward (ours / theirs) | '
           'forward+backward (ours / theirs) |', '|---|---|---|---|']
  for dtype in results['flags'].get('dtypes') or ['float32']:
    for impl, name in (('hf', 'HF PyTorch (faster form)'),
                       ('original', 'original port under XLA')):
      cells = [summary_cell(best(results, 'ours', mode, longest, dtype),
                            best(results, impl, mode, longest, dtype))
               for mode in MODE_ORDER]
      cells = ['failed (see its row)'
               if cell == 'not measured' and failed(results, impl, mode, dtype)
               else cell for cell, mode in zip(cells, MODE_ORDER)]
      if impl == 'original' and not results['flags'].get(
          'original_port_path'):
        cells = ['not given'] * 2
      lines.append(f'| {dtype} | {name} | {cells[0]} | {cells[1]} |')
  if 'bfloat16' in (results['flags'].get('dtypes') or []):
    cells = [summary_cell(best(results, 'ours', mode, longest, 'bfloat16'),
                          best(results, 'ours', mode, longest, 'float32'))
             for mode in MODE_ORDER]
    lines.append(f'| bfloat16 | ours in float32 (bf16/fp32) | {cells[0]} | '
                 f'{cells[1]} |')
  return lines + ['']


def write_markdown(results: Result, path: str) -> None:
  """Writes the header, the summary and one row per run, atomically."""
  lines = header_lines(results) + summary_lines(results)
  lines += ['## Every run', '', '| ' + ' | '.join(COLUMNS) + ' |',
            '|' + '---|' * len(COLUMNS)]
  lines += [table_row(r) for r in sorted(results['runs'], key=sort_key)]
  with open(path + '.tmp', 'w') as f:
    f.write('\n'.join(lines) + '\n')
  os.replace(path + '.tmp', path)
