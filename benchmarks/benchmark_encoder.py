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

r"""Speed and memory of our Longformer encoder against its peers, one command.

  python3 benchmarks/benchmark_encoder.py --seq_lengths=512,1024,2048,4096 \
      --memory_seq_lengths= --num_layers=12 --repeats=3 --jit_compile=both \
      --dtypes=float32,bfloat16 --original_port_path=/tmp/mg_longformer_port \
      --output_dir=benchmarks/results_round3

Every configuration (implementation, mode, dtype, sequence length) runs in a
fresh `run_one.py` process (see there: Longformer-base sizes, random
weights, batch 1, `--threads` threads per framework, one warm-up run, then
timed runs), with this checkout first on PYTHONPATH. Implementations: ours
with XLA (`jit_compile=True`) and/or as a plain graph (`tf.function` without
XLA); HF PyTorch `LongformerModel` (eager; in bfloat16 in each form of
`--hf_bf16`); Model Garden's original port under XLA when
`--original_port_path` is given (original_port.py says which folder; its
rows are otherwise absent and the report says "not given"); with
`--gradient_checkpointing`, ours recomputing each layer in the backward
pass (train mode only). Modes: forward (inference) and train (forward +
backward of the sum of sequence_output w.r.t. every weight). Dtypes: float32
and bfloat16 (ours and the port under the mixed_bfloat16 policy). In
bfloat16 forward runs, `--measure_error` also records the max abs difference
of sequence_output to the same weights in float32. Implementations alternate
within each length and dtype (ours, HF, port, ours, ...) so that load drift
hits all.

Speed lengths (`--seq_lengths`) run every implementation, mode and dtype.
Memory lengths (`--memory_seq_lengths`) run ours forward in float32; train
too with `--memory_train`, HF too with `--memory_hf`, and ours with
checkpointing in train mode with `--gradient_checkpointing`.

The matmul yardstick: a [4096, 768] @ [768, 3072] matmul in TensorFlow in
each dtype, with the same threads, in its own process at the start and the
end; FLOPs and ratios as in encoder_ratios.py.

Memory guard: before each worker, its peak RSS is projected from the same
configuration's shorter lengths measured so far (memory_guard.py: the line
through the two longest, or the growth past the model's memory scaled with
length, whichever is larger); a configuration projected over
`--memory_limit_gib` is not started and gets a row "not run: projected N
GiB > limit M GiB" with the projection. Lengths run shortest first. Every
worker's resident memory is polled (every 0.5 s) and a worker passing the
limit is killed (a "killed" row); longer lengths of a configuration with a
killed length are not started ("not run" rows naming it). The default limit
is the machine's total memory less 10%, not what is free: on a machine
shared with other jobs, pass a lower `--memory_limit_gib`.

Writes results.json (raw, rewritten after every worker), results.md (summary
table against each peer at the longest length, every run, machine) and
benchmark.png (tokens/s and peak memory vs length per implementation and
dtype) into `--output_dir`, and the stderr of every failed worker into its
logs/. `--report_only` rewrites the tables and plot from an existing
results.json (results without dtypes count as float32).
"""
import dataclasses
import json
import os
import sys
from typing import Dict, List, Optional

from absl import app
from absl import flags

# Siblings: this file runs as a script, so its directory is on sys.path.
import encoder_plan
import encoder_ratios
import memory_guard
import original_port
import report
import report_plot
import run_one
import workers

RUN_ONE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            'run_one.py')
MODES = ('forward', 'train')
FLAG_NAMES = ('seq_lengths', 'memory_seq_lengths', 'num_layers',
              'attention_window', 'jit_compile', 'modes', 'dtypes',
              'hf_bf16', 'measure_error', 'original_port_path',
              'gradient_checkpointing', 'memory_train', 'memory_hf',
              'repeats', 'memory_repeats', 'matmul_repeats', 'threads',
              'timeout', 'memory_limit_gib')

FLAGS = flags.FLAGS
flags.DEFINE_list('seq_lengths', ['512', '1024', '2048', '4096'],
                  'Lengths for speed: every implementation, mode and dtype.')
flags.DEFINE_list('memory_seq_lengths', ['8192', '16384'],
                  'Lengths for memory: ours forward (see --memory_*).')
flags.DEFINE_integer('num_layers', 12, 'Transformer blocks (fewer = quick).')
flags.DEFINE_integer('attention_window', 512,
                     'The full, even window (each side sees half of it).')
flags.DEFINE_enum('jit_compile', 'both', list(encoder_plan.JIT_SETTINGS),
                  'ours with XLA (on), as a plain graph (off), or both.')
flags.DEFINE_list('modes', list(MODES), 'Modes at the speed lengths.')
flags.DEFINE_list('dtypes', ['float32'],
                  'float32 and/or bfloat16 at the speed lengths.')
flags.DEFINE_list('hf_bf16', ['autocast', 'cast'],
                  'HF forms in bfloat16: autocast (torch.autocast) and/or '
                  'cast (model.to(torch.bfloat16)).')
flags.DEFINE_bool('measure_error', True,
                  'bfloat16 forward runs: record the max abs difference of '
                  'sequence_output to float32 (same weights and inputs).')
flags.DEFINE_string('original_port_path', '',
                    "Folder of Model Garden's original port "
                    '(official/projects/longformer files); empty = not run.')
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
flags.DEFINE_integer('timeout', 3600,
                     'Seconds before a worker is killed. One worker is a '
                     'start-up, one warm-up run (with XLA compilation) and '
                     'the timed runs: 12 layers, train with checkpointing at '
                     '32768 tokens takes ~200-400 s a run on 2 cores, so '
                     '3600 s covers a warm-up and up to 5 timed runs.')
flags.DEFINE_float('memory_limit_gib', 0.0,
                   'Do not start a configuration whose peak RSS, projected '
                   'from its shorter lengths (memory_guard.py), exceeds '
                   'this, or whose shorter length was killed; it gets a '
                   '"not run" row instead. Kill any worker whose resident '
                   'memory passes it. 0 = the machine\'s total memory less '
                   '10% (not what is free: lower it on a shared machine).')
flags.DEFINE_string('output_dir', '',
                    'Where results.{json,md} and benchmark.png go; default: '
                    'a new directory under the system temp dir (printed). Name '
                    'benchmarks/results_round3 to update the committed tables.')
flags.DEFINE_bool('report_only', False,
                  'Run nothing: rewrite results.md and benchmark.png from '
                  '<output_dir>/results.json (e.g. of an interrupted run).')


def run_name(run: encoder_plan.Run) -> str:
  """A short name for progress lines and log files."""
  name = f'{report.label(dataclasses.asdict(run))} {run.dtype}'
  if run.impl != 'matmul':
    name += f' {run.mode} T={run.seq_length}'
  return name


def progress(index: int, total: int, run: encoder_plan.Run,
             result: Optional[Dict[str, object]] = None) -> None:
  """Prints a line when a worker starts (no result) and when it ends."""
  name = f'[{index}/{total}] {run_name(run)}'
  if result is None:
    print(f'{name}: start', flush=True)
  elif result['status'] == memory_guard.NOT_RUN:
    print(f'{name}: not run: {result["error"]}', flush=True)
  elif result['status'] != 'ok':
    print(f'{name}: {result["status"]}: {result.get("error")}', flush=True)
  elif run.impl == 'matmul':
    print(f'{name}: {result["gflops"]:.1f} GFLOP/s', flush=True)
  else:
    error = result.get('max_abs_diff_vs_float32')
    error = '' if error is None else f', max abs diff vs fp32 {error:.3g}'
    print(f'{name}: {result["tokens_per_s"]:.1f} tokens/s, peak '
          f'{result["peak_rss_gib"]:.2f} GiB{error} ({result["wall_s"]:.0f} '
          's)', flush=True)


def run_worker(run: encoder_plan.Run,
               memory_limit_gib: float) -> Dict[str, object]:
  """Runs one configuration in a fresh process; never raises on failure.
  A worker whose resident memory passes `memory_limit_gib` is killed."""
  log = os.path.join(FLAGS.output_dir, 'logs',
                     run_name(run).replace(' ', '_') + '.log')
  result = workers.run_worker(RUN_ONE_PATH, run.worker_args(FLAGS),
                              FLAGS.threads, FLAGS.timeout, log,
                              memory_limit_gib)
  result.update(dataclasses.asdict(run))
  return result


def validate_flags() -> None:
  """Raises ValueError for flag values the workers cannot run."""
  choices = {'modes': MODES, 'dtypes': run_one.DTYPES,
             'hf_bf16': run_one.HF_BF16_MODES}
  for name, allowed in choices.items():
    values = FLAGS[name].value
    if not values or set(values) - set(allowed):
      raise ValueError(f'--{name}={",".join(values)} must be a non-empty '
                       f'subset of {",".join(allowed)}.')
  for name in ('seq_lengths', 'memory_seq_lengths'):
    for value in FLAGS[name].value:
      if not value.isdigit() or int(value) <= 0:
        raise ValueError(f'--{name} entry {value!r} must be a positive int.')
    if len(set(map(int, FLAGS[name].value))) < len(FLAGS[name].value):
      raise ValueError(f'--{name}={",".join(FLAGS[name].value)} names a '
                       'length twice: give each length once.')
  if FLAGS.memory_limit_gib < 0:
    raise ValueError(f'--memory_limit_gib={FLAGS.memory_limit_gib} must be '
                     "positive, or 0 for the machine's total memory less "
                     f'{memory_guard.MARGIN_FRACTION:.0%}.')
  if FLAGS.original_port_path and not FLAGS.report_only:
    original_port.check_path(FLAGS.original_port_path)


def memory_limit_gib(machine: Dict[str, object]) -> float:
  """--memory_limit_gib, or the default from the machine's total memory."""
  if FLAGS.memory_limit_gib:
    return FLAGS.memory_limit_gib
  if not machine['memory_gib']:
    raise ValueError('The total memory of this machine is unknown (no '
                     '/proc/meminfo): pass --memory_limit_gib.')
  return memory_guard.default_limit_gib(machine['memory_gib'])


def guarded_result(run: encoder_plan.Run,
                   results: Dict[str, object]) -> Dict[str, object]:
  """The worker's result, or a 'not run' row if projected over the limit."""
  if run.impl != 'matmul':
    candidate = dict(dataclasses.asdict(run), num_layers=FLAGS.num_layers,
                     attention_window=FLAGS.attention_window)
    skipped = memory_guard.not_run_result(
        candidate, results['runs'], results['flags']['memory_limit_gib'])
    if skipped is not None:
      return skipped
  return run_worker(run, results['flags']['memory_limit_gib'])


def run_all() -> Dict[str, object]:
  """Runs the matmuls, every model configuration and the matmuls again."""
  schedule = encoder_plan.plan_runs(FLAGS)
  results = {'machine': report.machine_info(FLAGS.threads),
             'command': report.command_line(sys.argv),
             'flags': {f: FLAGS[f].value for f in FLAG_NAMES},
             'matmul': [], 'runs': []}
  results['flags']['memory_limit_gib'] = memory_limit_gib(results['machine'])
  path = os.path.join(FLAGS.output_dir, 'results.json')
  for index, run in enumerate(schedule, 1):
    progress(index, len(schedule), run)
    result = guarded_result(run, results)
    progress(index, len(schedule), run, result)
    results['matmul' if run.impl == 'matmul' else 'runs'].append(result)
    workers.write_json_atomically(results, path)
  results['machine']['load_after'] = os.getloadavg()
  return results


def verdict(results: Dict[str, object]) -> str:
  """How many runs succeeded, e.g. '34 of 36 runs ok (2 failed: see ...)'."""
  runs = results['runs'] + results['matmul']
  not_run = [r for r in runs if r['status'] == memory_guard.NOT_RUN]
  failed = [r for r in runs
            if r['status'] not in ('ok', memory_guard.NOT_RUN)]
  line = f'{len(runs) - len(failed) - len(not_run)} of {len(runs)} runs ok'
  if not_run:
    line += (f' ({len(not_run)} not run: projected over the memory limit; '
             'see the notes in results.md)')
  if failed:
    line += f' ({len(failed)} failed: see the notes in results.md)'
  return line


def main(argv: List[str]) -> None:
  del argv
  validate_flags()
  if FLAGS.report_only and not FLAGS.output_dir:
    raise app.UsageError('--report_only needs --output_dir (the folder '
                         'holding results.json).')
  FLAGS.output_dir = workers.output_dir_or_fresh(FLAGS.output_dir, 'encoder')
  print(f'Writing to {FLAGS.output_dir}', flush=True)
  os.makedirs(FLAGS.output_dir, exist_ok=True)
  if FLAGS.report_only:
    with open(os.path.join(FLAGS.output_dir, 'results.json')) as f:
      results = json.load(f)
  else:
    results = run_all()
  encoder_ratios.add_derived(results)
  workers.write_json_atomically(
      results, os.path.join(FLAGS.output_dir, 'results.json'))
  report.write_markdown(results, os.path.join(FLAGS.output_dir, 'results.md'))
  report_plot.write_plot(results,
                         os.path.join(FLAGS.output_dir, 'benchmark.png'))
  print(f'{verdict(results)}. Wrote results.md, results.json and '
        f'benchmark.png to {FLAGS.output_dir}')


if __name__ == '__main__':
  app.run(main)
