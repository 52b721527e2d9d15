r"""Speed and memory of our Longformer encoder against HF PyTorch, one command.

  python3 benchmarks/benchmark_encoder.py --seq_lengths=512,1024,2048,4096 \
      --memory_seq_lengths=8192,16384 --num_layers=12 --repeats=3 \
      --jit_compile=both --output_dir=benchmarks/results

Every configuration (implementation, mode, sequence length) runs in a fresh
`run_one.py` process (see there: Longformer-base sizes, random weights,
batch 1, float32, `--threads` threads per framework, one warm-up run, then
timed runs). Implementations: ours with XLA (`jit_compile=True`) and/or as a
plain graph (`tf.function` without XLA), HF PyTorch `LongformerModel` (eager),
and, with `--gradient_checkpointing`, ours recomputing each layer in the
backward pass (train mode only, at every `--jit_compile` setting).
Modes: forward (inference) and train (forward + backward of the sum of
sequence_output w.r.t. every weight). Implementations alternate within each
length (ours, HF, ours, ...) so that load drift hits both.

Speed lengths (`--seq_lengths`) run every implementation and mode in
`--modes`. Memory lengths (`--memory_seq_lengths`) run ours forward; train
too with `--memory_train`, HF too with `--memory_hf`, and ours with
checkpointing in train mode with `--gradient_checkpointing`.

The matmul yardstick: a float32 [4096, 768] @ [768, 3072] matmul in
TensorFlow with the same threads, timed in its own process at the start and
at the end; "of matmul" divides by the faster of the two readings.

FLOPs per token (multiply-add = 2 FLOPs), D hidden size, I inner size,
W = attention_window / 2 the one-sided window, L layers:

  linear layers     2 * (4 * D * D + 2 * D * I)   q, k, v, output; FFN in, out
  windowed scores   2 * (2 * W + 1) * D            each query, 2W + 1 keys
  windowed context  2 * (2 * W + 1) * D            probs @ values
  forward           L * (sum of the above)
  train             3 * forward

For Longformer-base (D 768, I 3072, W 256) that is 15.7 MFLOP per token per
layer (14.2 linear, 1.6 windowed), 189 MFLOP per token for 12 layers: the
model's necessary work, the same for every
implementation. Work an implementation adds is not credited: HF's global
key/value projections over all tokens (ours folds them into the G global
queries), the 3W keys per query of our blocks or HF's 4W chunks. Embeddings,
LayerNorm, softmax, GELU, the global rows' attention (G rows) and the pooler
are left out. "of matmul" is FLOPs per token * tokens/s / (matmul FLOP/s).

Writes results.json (raw, rewritten after every worker), results.md (table
and machine) and benchmark.png (tokens/s and peak memory vs length) into
`--output_dir`, and the stderr of every failed worker into its logs/.
`--report_only` rewrites the table and plot from an existing results.json.
"""
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from typing import Dict, List, Optional

from absl import app
from absl import flags

# Siblings: this file runs as a script, so its directory is on sys.path.
import report
import run_one

RUN_ONE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            'run_one.py')
JIT_SETTINGS = {'on': [True], 'off': [False], 'both': [True, False]}
MODES = ('forward', 'train')
TRAIN_FLOPS_FACTOR = 3  # Backward ~ 2x forward.
EXCEPTION_LINE = re.compile(r'^[A-Za-z_][\w.]*(Error|Exception|Exit)\b')
FLAG_NAMES = ('seq_lengths', 'memory_seq_lengths', 'num_layers',
              'attention_window', 'jit_compile', 'modes',
              'gradient_checkpointing', 'memory_train', 'memory_hf',
              'repeats', 'memory_repeats', 'matmul_repeats', 'threads',
              'timeout')

FLAGS = flags.FLAGS
flags.DEFINE_list('seq_lengths', ['512', '1024', '2048', '4096'],
                  'Lengths for speed: every implementation and mode.')
flags.DEFINE_list('memory_seq_lengths', ['8192', '16384'],
                  'Lengths for memory: ours forward (see --memory_*).')
flags.DEFINE_integer('num_layers', 12, 'Transformer blocks (fewer = quick).')
flags.DEFINE_integer('attention_window', 512,
                     'The full, even window (each side sees half of it).')
flags.DEFINE_enum('jit_compile', 'both', list(JIT_SETTINGS),
                  'ours with XLA (on), as a plain graph (off), or both.')
flags.DEFINE_list('modes', list(MODES), 'Modes at the speed lengths.')
flags.DEFINE_bool('gradient_checkpointing', False,
                  'Also run ours with gradient checkpointing (train mode).')
flags.DEFINE_bool('memory_train', False,
                  'Also run train mode at the memory lengths.')
flags.DEFINE_bool('memory_hf', False, 'Also run HF at the memory lengths.')
flags.DEFINE_integer('repeats', 3, 'Timed runs per speed configuration.')
flags.DEFINE_integer('memory_repeats', 1,
                     'Timed runs per memory configuration.')
flags.DEFINE_integer('matmul_repeats', 10, 'Timed runs of the matmul.')
flags.DEFINE_integer('threads', 2, 'Intra-op threads for either framework.')
flags.DEFINE_integer('timeout', 3600, 'Seconds before a worker is killed.')
flags.DEFINE_string('output_dir', 'benchmarks/results',
                    'Where results.{json,md} and benchmark.png go.')
flags.DEFINE_bool('report_only', False,
                  'Run nothing: rewrite results.md and benchmark.png from '
                  '<output_dir>/results.json (e.g. of an interrupted run).')


@dataclasses.dataclass(frozen=True)
class Run:
  """One worker's configuration."""
  impl: str  # 'ours', 'hf' or 'matmul'.
  mode: str = 'forward'
  seq_length: int = 0
  jit_compile: bool = True
  gradient_checkpointing: bool = False
  repeats: int = 1

  def worker_args(self) -> List[str]:
    """The run_one.py flags for this run."""
    args = [f'--impl={self.impl}', f'--repeats={self.repeats}',
            f'--threads={FLAGS.threads}']
    if self.impl != 'matmul':
      args += [f'--mode={self.mode}', f'--seq_length={self.seq_length}',
               f'--num_layers={FLAGS.num_layers}',
               f'--attention_window={FLAGS.attention_window}']
    if self.impl == 'ours':
      args += [f'--jit_compile={self.jit_compile}',
               f'--gradient_checkpointing={self.gradient_checkpointing}']
    return args


def flops_per_token(mode: str, num_layers: int,
                    attention_window: int) -> float:
  """Model FLOPs per token, as in the module docstring."""
  d, inner = run_one.HIDDEN_SIZE, run_one.INNER_DIM
  one_sided_window = attention_window // 2
  linear = 2 * (4 * d * d + 2 * d * inner)
  windowed = 2 * 2 * (2 * one_sided_window + 1) * d
  forward = num_layers * (linear + windowed)
  return forward * (TRAIN_FLOPS_FACTOR if mode == 'train' else 1)


def ours_runs(mode: str, seq_length: int, repeats: int,
              with_checkpointing: bool) -> List[Run]:
  """Ours at every --jit_compile setting, plus checkpointing if asked."""
  checkpointing = [False]
  if with_checkpointing and mode == 'train':
    checkpointing.append(True)
  return [Run('ours', mode, seq_length, jit, ckpt, repeats)
          for ckpt in checkpointing
          for jit in JIT_SETTINGS[FLAGS.jit_compile]]


def interleave(ours: List[Run], hf: List[Run]) -> List[Run]:
  """ours[0], hf[0], ours[1], hf[1], ... then the rest of the longer list."""
  runs = []
  for i in range(max(len(ours), len(hf))):
    runs += ours[i:i + 1] + hf[i:i + 1]
  return runs


def plan_runs() -> List[Run]:
  """Every model run, in the order they run."""
  runs = []
  for mode in FLAGS.modes:
    for seq_length in map(int, FLAGS.seq_lengths):
      runs += interleave(
          ours_runs(mode, seq_length, FLAGS.repeats,
                    FLAGS.gradient_checkpointing),
          [Run('hf', mode, seq_length, repeats=FLAGS.repeats)])
  memory_modes = ['forward']
  if FLAGS.memory_train or FLAGS.gradient_checkpointing:
    memory_modes.append('train')
  for mode in memory_modes:
    for seq_length in map(int, FLAGS.memory_seq_lengths):
      ours = ours_runs(mode, seq_length, FLAGS.memory_repeats,
                       FLAGS.gradient_checkpointing)
      if mode == 'train' and not FLAGS.memory_train:
        ours = [run for run in ours if run.gradient_checkpointing]
      hf = [Run('hf', mode, seq_length, repeats=FLAGS.memory_repeats)]
      runs += interleave(ours, hf if FLAGS.memory_hf else [])
  return runs


def last_exception(stderr: str) -> str:
  """The last 'SomethingError: message' line of a traceback, or last line."""
  lines = stderr.strip().splitlines() or ['no output']
  for line in reversed(lines):
    if EXCEPTION_LINE.match(line):
      return line.strip()
  return lines[-1].strip()


def failure(returncode: int, stderr: str) -> Dict[str, str]:
  """The status and message of a worker that printed no result."""
  if returncode < 0:
    name = signal.Signals(-returncode).name
    hint = ' (out of memory?)' if -returncode == signal.SIGKILL else ''
    return {'status': 'killed', 'error': f'killed by {name}{hint}'}
  return {'status': 'error',
          'error': f'exit {returncode}: {last_exception(stderr)}'}


def save_log(run: Run, stderr: str) -> str:
  """Writes a failed worker's stderr under <output_dir>/logs; the path."""
  name = report.label(dataclasses.asdict(run)).replace(' + ', '-')
  name = f'{name}_{run.mode}_{run.seq_length}'.replace(' ', '-')
  path = os.path.join(FLAGS.output_dir, 'logs', name + '.log')
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, 'w') as f:
    f.write(stderr)
  return path


def run_worker(run: Run) -> Dict[str, object]:
  """Runs one configuration in a fresh process; never raises on its failure."""
  env = dict(os.environ, OMP_NUM_THREADS=str(FLAGS.threads),
             MKL_NUM_THREADS=str(FLAGS.threads), TF_CPP_MIN_LOG_LEVEL='2',
             CUDA_VISIBLE_DEVICES='-1')
  result = {'load_before': os.getloadavg()[0]}
  start = time.time()
  try:
    process = subprocess.run(
        [sys.executable, RUN_ONE_PATH] + run.worker_args(), env=env,
        capture_output=True, text=True, timeout=FLAGS.timeout, check=False)
  except subprocess.TimeoutExpired:
    result.update(status='timeout',
                  error=f'no result after --timeout={FLAGS.timeout} s')
  else:
    json_lines = [line for line in process.stdout.splitlines()
                  if line.startswith('{')]
    if process.returncode == 0 and json_lines:
      result.update(json.loads(json_lines[-1]))
    else:
      result.update(failure(process.returncode, process.stderr),
                    log=save_log(run, process.stderr))
  result.update(dataclasses.asdict(run), wall_s=time.time() - start)
  return result


def progress(index: int, total: int, run: Run,
             result: Optional[Dict[str, object]] = None) -> None:
  """Prints a line when a worker starts (no result) and when it ends."""
  name = f'[{index}/{total}] {report.label(dataclasses.asdict(run))}'
  if run.impl != 'matmul':
    name += f' {run.mode} T={run.seq_length}'
  if result is None:
    print(f'{name}: start', flush=True)
  elif result['status'] != 'ok':
    print(f'{name}: {result["status"]}: {result.get("error")}', flush=True)
  elif run.impl == 'matmul':
    print(f'{name}: {result["gflops"]:.1f} GFLOP/s', flush=True)
  else:
    print(f'{name}: {result["tokens_per_s"]:.1f} tokens/s, peak '
          f'{result["peak_rss_gib"]:.2f} GiB ({result["wall_s"]:.0f} s)',
          flush=True)


def add_derived(results: Dict[str, object]) -> None:
  """Adds the ratio ours/HF and the fraction of matmul throughput."""
  gflops = [m['gflops'] for m in results['matmul'] if m['status'] == 'ok']
  results['matmul_gflops'] = max(gflops) if gflops else None
  results['forward_flops_per_token'] = flops_per_token(
      'forward', results['flags']['num_layers'],
      results['flags']['attention_window'])
  hf_speed = {(r['mode'], r['seq_length']): r['tokens_per_s']
              for r in results['runs']
              if r['impl'] == 'hf' and r['status'] == 'ok'}
  for r in results['runs']:
    if r['status'] != 'ok':
      continue
    r['flops_per_token'] = flops_per_token(r['mode'], r['num_layers'],
                                           r['attention_window'])
    if results['matmul_gflops']:
      r['matmul_fraction'] = (r['flops_per_token'] * r['tokens_per_s'] /
                              (results['matmul_gflops'] * 1e9))
    hf = hf_speed.get((r['mode'], r['seq_length']))
    if r['impl'] == 'ours' and hf:
      r['ratio_to_hf'] = r['tokens_per_s'] / hf


def save(results: Dict[str, object]) -> None:
  """Writes results.json (called after every worker)."""
  with open(os.path.join(FLAGS.output_dir, 'results.json'), 'w') as f:
    json.dump(results, f, indent=1)


def validate_flags() -> None:
  """Raises ValueError for flag values the workers cannot run."""
  unknown = set(FLAGS.modes) - set(MODES)
  if unknown or not FLAGS.modes:
    raise ValueError(f'--modes={",".join(FLAGS.modes)} must be a non-empty '
                     f'subset of {",".join(MODES)}.')
  for name in ('seq_lengths', 'memory_seq_lengths'):
    for value in FLAGS[name].value:
      if not value.isdigit() or int(value) <= 0:
        raise ValueError(f'--{name} entry {value!r} must be a positive int.')


def run_all() -> Dict[str, object]:
  """Runs the matmul, every model configuration and the matmul again."""
  matmul = Run('matmul', repeats=FLAGS.matmul_repeats)
  schedule = [matmul] + plan_runs() + [matmul]
  results = {'machine': report.machine_info(FLAGS.threads),
             'command': report.command_line(sys.argv),
             'flags': {f: FLAGS[f].value for f in FLAG_NAMES},
             'matmul': [], 'runs': []}
  for index, run in enumerate(schedule, 1):
    progress(index, len(schedule), run)
    result = run_worker(run)
    progress(index, len(schedule), run, result)
    results['matmul' if run.impl == 'matmul' else 'runs'].append(result)
    save(results)
  results['machine']['load_after'] = os.getloadavg()
  return results


def main(argv: List[str]) -> None:
  del argv
  validate_flags()
  os.makedirs(FLAGS.output_dir, exist_ok=True)
  if FLAGS.report_only:
    with open(os.path.join(FLAGS.output_dir, 'results.json')) as f:
      results = json.load(f)
  else:
    results = run_all()
  add_derived(results)
  save(results)
  report.write_markdown(results, os.path.join(FLAGS.output_dir, 'results.md'))
  report.write_plot(results, os.path.join(FLAGS.output_dir, 'benchmark.png'))
  print(f'Wrote results.md, results.json and benchmark.png to '
        f'{FLAGS.output_dir}')


if __name__ == '__main__':
  app.run(main)
