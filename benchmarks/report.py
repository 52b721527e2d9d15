"""The benchmark's outputs: machine description, markdown table, PNG plot.

Each result is a dict as `run_one.py` prints it, plus `wall_s`,
`load_before` and the derived `ratio_to_hf` and `matmul_fraction` added by
`benchmark_encoder.py`.
"""
import datetime
import importlib.metadata
import os
import platform
import shlex
from typing import Dict, List, Sequence

Result = Dict[str, object]

PACKAGES = ('tensorflow', 'tf_keras', 'torch', 'transformers')
MODE_ORDER = ('forward', 'train')
LABEL_ORDER = ('ours XLA', 'ours graph', 'ours XLA + ckpt',
               'ours graph + ckpt', 'HF PyTorch')
COLORS = dict(zip(LABEL_ORDER, ('tab:blue', 'tab:green', 'tab:purple',
                                'tab:olive', 'tab:orange')))
LINE_STYLES = {'forward': '-', 'train': '--'}
COLUMNS = ('tokens', 'implementation', 'mode', 'runs', 'median s',
           'tokens/s', 'ours/HF', 'of matmul', 'peak RSS GiB',
           'timed-run peak GiB', 'model GiB', 'note')


def label(result: Result) -> str:
  """The implementation's display name, e.g. 'ours XLA + ckpt'."""
  if result['impl'] == 'hf':
    return 'HF PyTorch'
  if result['impl'] == 'matmul':
    return 'matmul'
  name = 'ours XLA' if result['jit_compile'] else 'ours graph'
  return name + (' + ckpt' if result['gradient_checkpointing'] else '')


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
  """Mode, then length, then implementation."""
  return (MODE_ORDER.index(result['mode']), result['seq_length'],
          LABEL_ORDER.index(label(result)))


def number(result: Result, key: str, pattern: str) -> str:
  """result[key] formatted with `pattern`, or '' where it is missing."""
  value = result.get(key)
  return '' if value is None else pattern.format(value)


def table_row(result: Result) -> str:
  """One markdown table row."""
  ok = result['status'] == 'ok'
  note = '' if ok else f'{result["status"]}: {result.get("error", "")}'
  cells = (str(result['seq_length']), label(result), result['mode'],
           str(len(result['times_s'])) if ok else '',
           number(result, 'median_s', '{:.3g}'),
           number(result, 'tokens_per_s', '{:.1f}'),
           number(result, 'ratio_to_hf', '{:.2f}x'),
           number(result, 'matmul_fraction', '{:.0%}'),
           number(result, 'peak_rss_gib', '{:.2f}'),
           number(result, 'run_peak_rss_gib', '{:.2f}'),
           number(result, 'model_rss_gib', '{:.2f}'), note)
  return '| ' + ' | '.join(cells) + ' |'


def header_lines(results: Result) -> List[str]:
  """The command, machine and model description above the table."""
  machine, run_flags = results['machine'], results['flags']
  versions = ', '.join(f'{k} {v}' for k, v in machine['versions'].items())
  matmul = ', '.join(number(m, 'gflops', '{:.1f}') or m['status']
                     for m in results['matmul'])
  load = lambda key: ' '.join(f'{x:.2f}' for x in machine.get(key, ()))
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
      'token global, batch 1, float32, random weights, dropout 0.',
      f'- Matmul yardstick (float32 4096x768 @ 768x3072, TensorFlow): '
      f'{matmul} GFLOP/s at start and end; "of matmul" = model FLOPs per '
      f'token ({results["forward_flops_per_token"] / 1e6:.0f} MFLOP forward, '
      '3x for train; formula in benchmark_encoder.py) x tokens/s / the '
      'higher matmul reading.',
      '- forward = inference; train = forward + backward of the sum of '
      'sequence_output w.r.t. all weights. median s over "runs" timed runs '
      'after one warm-up.',
      '- peak RSS: whole process (ru_maxrss), including XLA compilation; '
      'timed-run peak: peak during the timed runs only; model: RSS once the '
      'model is built.', '']


def write_markdown(results: Result, path: str) -> None:
  """Writes the header and one table row per run to `path`."""
  lines = header_lines(results)
  lines += ['| ' + ' | '.join(COLUMNS) + ' |',
            '|' + '---|' * len(COLUMNS)]
  lines += [table_row(r) for r in sorted(results['runs'], key=sort_key)]
  with open(path, 'w') as f:
    f.write('\n'.join(lines) + '\n')


def series(results: Result, key: str) -> Dict[tuple, List[tuple]]:
  """(label, mode) -> sorted [(seq_length, result[key])] of ok runs."""
  points = {}
  for r in sorted(results['runs'], key=sort_key):
    if r['status'] == 'ok':
      points.setdefault((label(r), r['mode']), []).append(
          (r['seq_length'], r[key]))
  return points


def plot_panel(axis, results: Result, key: str, ylabel: str) -> None:
  """Draws one line per (implementation, mode) of result[key] vs length."""
  for (name, mode), points in sorted(
      series(results, key).items(),
      key=lambda item: (LABEL_ORDER.index(item[0][0]), item[0][1])):
    lengths, values = zip(*points)
    axis.plot(lengths, values, marker='o', color=COLORS[name],
              linestyle=LINE_STYLES[mode], label=f'{name}, {mode}')
  axis.set_xscale('log', base=2)
  axis.set_xlabel('sequence length (tokens)')
  axis.set_ylabel(ylabel)
  axis.grid(True, alpha=0.3)


def write_plot(results: Result, path: str) -> None:
  """Tokens/s (left) and peak memory (right) vs length, as a PNG."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  from matplotlib import pyplot  # pylint: disable=g-import-not-at-top
  from matplotlib import ticker  # pylint: disable=g-import-not-at-top
  figure, (speed, memory) = pyplot.subplots(1, 2, figsize=(13, 5.5))
  plot_panel(speed, results, 'tokens_per_s', 'tokens / s (higher is better)')
  speed.set_ylim(bottom=0)
  plot_panel(memory, results, 'peak_rss_gib',
             'peak resident memory, GiB (lower is better)')
  memory.set_ylim(bottom=0)
  for axis in (speed, memory):
    axis.xaxis.set_major_formatter(ticker.ScalarFormatter())
  speed.legend(fontsize=8)
  machine, run_flags = results['machine'], results['flags']
  figure.suptitle(
      f'Longformer encoder, num_layers {run_flags["num_layers"]}, window '
      f'{run_flags["attention_window"]}, batch 1, float32, '
      f'{machine["threads"]} threads: {machine["cpu"]}', fontsize=10)
  figure.tight_layout()
  figure.savefig(path, dpi=120)
  pyplot.close(figure)
