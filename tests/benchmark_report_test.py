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

"""The encoder benchmark's report (`--report_only`) on a handmade results.json.

Every number below is chosen by hand, so each expected ratio is plain
arithmetic on the inputs, not a value produced by the benchmark code. No
timing is measured here.
"""
import importlib
import json
import os
import subprocess
import sys
import tempfile
import types
import unittest

_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'benchmarks', 'benchmark_encoder.py')
_MACHINE = {'cpu': 'test CPU', 'cpu_count': 2, 'memory_gib': 8.0,
            'threads': 2, 'python': '3', 'versions': {}, 'date': 'today',
            'load_before': [0.0, 0.0, 0.0]}


def _benchmark_module(name):
  """Imports benchmarks/<name>.py (the drivers import their siblings)."""
  sys.path.insert(0, os.path.dirname(_SCRIPT))
  try:
    return importlib.import_module(name)
  finally:
    sys.path.remove(os.path.dirname(_SCRIPT))


def _default_output_dir():
  """What the benchmark commands write into when not told."""
  return _benchmark_module('workers').output_dir_or_fresh('', 'encoder')


def _run(impl, mode, tokens_per_s, dtype=None, **extra):
  """A successful worker result at 4096 tokens, 12 layers."""
  result = {'impl': impl, 'mode': mode, 'seq_length': 4096, 'num_layers': 12,
            'attention_window': 512, 'status': 'ok', 'times_s': [1.0],
            'median_s': 4096 / tokens_per_s, 'tokens_per_s': tokens_per_s,
            'peak_rss_gib': 1.0, 'model_rss_gib': 0.5,
            'run_peak_rss_gib': 0.9, 'jit_compile': True,
            'gradient_checkpointing': False}
  if dtype:  # Results from before dtypes were recorded have none.
    result['dtype'] = dtype
  result.update(extra)
  return result


def _results(original_port_path):
  return {
      'machine': _MACHINE, 'command': 'python3 benchmark_encoder.py',
      'flags': {'num_layers': 12, 'attention_window': 512,
                'seq_lengths': ['4096'], 'dtypes': ['float32', 'bfloat16'],
                'original_port_path': original_port_path,
                'memory_limit_gib': 20.0},
      'matmul': [{'impl': 'matmul', 'status': 'ok', 'gflops': 100.0},
                 {'impl': 'matmul', 'dtype': 'bfloat16', 'status': 'ok',
                  'gflops': 200.0}],
      'runs': [
          _run('ours', 'forward', 800.0, 'float32'),
          _run('hf', 'forward', 400.0, 'float32'),
          _run('original', 'forward', 500.0, 'float32'),
          _run('ours', 'forward', 1600.0, 'bfloat16',
               max_abs_diff_vs_float32=0.0625),
          _run('hf', 'forward', 500.0, 'bfloat16', hf_bf16='autocast'),
          _run('hf', 'forward', 640.0, 'bfloat16', hf_bf16='cast'),
          {'impl': 'original', 'mode': 'forward', 'seq_length': 4096,
           'dtype': 'bfloat16', 'status': 'error',
           'error': 'exit 1: TypeError: SelectV2'},
          _run('ours', 'train', 300.0),  # No dtype: counts as float32.
          _run('hf', 'train', 100.0),
          _NOT_RUN,
      ]}


# A row the memory guard kept from starting (memory_guard.not_run_result).
_NOT_RUN = {'impl': 'ours', 'mode': 'train', 'seq_length': 32768,
            'num_layers': 12, 'attention_window': 512, 'dtype': 'float32',
            'jit_compile': True, 'gradient_checkpointing': True,
            'status': 'not run', 'projected_peak_gib': 36.0,
            'memory_limit_gib': 20.0,
            'error': 'projected 36.0 GiB > limit 20.0 GiB (line through ...)'}


def _report(results):
  """Runs --report_only on `results`; returns results.md's table rows."""
  with tempfile.TemporaryDirectory() as output_dir:
    with open(os.path.join(output_dir, 'results.json'), 'w') as f:
      json.dump(results, f)
    process = subprocess.run(
        [sys.executable, _SCRIPT, '--report_only',
         f'--output_dir={output_dir}'], capture_output=True, text=True,
        check=False)
    if process.returncode:
      raise AssertionError(process.stderr[-3000:])
    with open(os.path.join(output_dir, 'results.md')) as f:
      markdown = f.read()
    assert os.path.exists(os.path.join(output_dir, 'benchmark.png'))
  return markdown, process.stdout


def _rows(markdown):
  """The 'Every run' table as dicts keyed by column name."""
  table = markdown.split('## Every run')[1].strip().splitlines()
  header = [c.strip() for c in table[0].strip('|').split('|')]
  return [dict(zip(header, (c.strip() for c in line.strip('|').split('|'))))
          for line in table[2:]]


def _find_run(results, impl, jit_compile, dtype, mode):
  """The raw run of `impl` with these settings in `results`."""
  return next(r for r in results['runs']
              if r['impl'] == impl and r.get('jit_compile') == jit_compile
              and r.get('dtype', 'float32') == dtype and r['mode'] == mode)


def _find(rows, implementation, dtype, mode):
  matches = [r for r in rows if r['implementation'] == implementation and
             r['dtype'] == dtype and r['mode'] == mode]
  if len(matches) != 1:
    raise AssertionError(f'{implementation} {dtype} {mode}: {matches}')
  return matches[0]


class BenchmarkReportTest(unittest.TestCase):

  @classmethod
  def setUpClass(cls):
    cls.markdown, cls.stdout = _report(_results('/some/port'))
    cls.rows = _rows(cls.markdown)

  def test_ours_float32_ratios_to_hf_original_and_matmul(self):
    row = _find(self.rows, 'ours XLA', 'float32', 'forward')
    self.assertEqual(row['ours/HF'], '2.00x')  # 800 / 400
    self.assertEqual(row['ours/original'], '1.60x')  # 800 / 500
    # 12 x 15.73 MFLOP x 800 tokens/s / 100 GFLOP/s = 151%.
    self.assertEqual(row['of matmul'], '151%')

  def test_bfloat16_compares_with_the_faster_hf_form_and_bf16_matmul(self):
    row = _find(self.rows, 'ours XLA', 'bfloat16', 'forward')
    self.assertEqual(row['ours/HF'], '2.50x')  # 1600 / max(500, 640)
    self.assertEqual(row['bf16/fp32'], '2.00x')  # 1600 / 800
    self.assertEqual(row['max abs diff vs fp32'], '0.0625')
    self.assertEqual(row['of matmul'], '151%')  # bf16 matmul: 200 GFLOP/s
    self.assertEqual(
        _find(self.rows, 'HF PyTorch cast', 'bfloat16',
              'forward')['bf16/fp32'], '1.60x')  # 640 / 400

  def test_failed_run_keeps_its_row_with_the_error(self):
    row = _find(self.rows, 'original port XLA', 'bfloat16', 'forward')
    self.assertEqual(row['tokens/s'], '')
    self.assertIn('error: exit 1: TypeError', row['note'])
    self.assertIn('1 failed', self.stdout)

  def test_run_kept_out_by_the_memory_guard_keeps_its_row(self):
    row = _find(self.rows, 'ours XLA + ckpt', 'float32', 'train')
    self.assertEqual(row['tokens'], '32768')
    self.assertEqual(row['tokens/s'], '')
    self.assertEqual(row['note'], 'not run: projected 36.0 GiB > limit '
                     '20.0 GiB (line through ...)')
    self.assertIn('- Memory guard: limit 20.0 GiB.', self.markdown)
    self.assertIn('1 such row(s)', self.markdown)
    self.assertIn('(1 not run: projected over the memory limit', self.stdout)
    self.assertIn('(1 failed', self.stdout)  # The port's error, not this.

  def test_results_without_dtype_count_as_float32(self):
    row = _find(self.rows, 'ours XLA', 'float32', 'train')
    self.assertEqual(row['ours/HF'], '3.00x')  # 300 / 100

  def test_summary_states_each_peer(self):
    self.assertIn('| float32 | HF PyTorch (faster form) | 800 (XLA) / 400 '
                  'tok/s = 2.00x | 300 (XLA) / 100 tok/s = 3.00x |',
                  self.markdown)
    self.assertIn('| bfloat16 | HF PyTorch (faster form) | 1600 (XLA) / 640 '
                  'tok/s = 2.50x |', self.markdown)

  def test_summary_takes_the_faster_of_xla_and_graph(self):
    results = _results('/some/port')
    graph = dict(_find_run(results, 'ours', True, 'float32', 'forward'),
                 jit_compile=False, tokens_per_s=1000.0)
    results['runs'].append(graph)
    markdown, _ = _report(results)
    self.assertIn('| float32 | HF PyTorch (faster form) | 1000 (graph) / 400 '
                  'tok/s = 2.50x |', markdown)

  def test_without_port_path_its_rows_say_not_given(self):
    results = _results('')
    results['runs'] = [r for r in results['runs']
                       if r['impl'] != 'original']
    markdown, _ = _report(results)
    self.assertIn('- Original port: not given', markdown)
    self.assertIn('| float32 | original port under XLA | not given | '
                  'not given |', markdown)


class DefaultOutputDirTest(unittest.TestCase):

  def test_default_is_a_fresh_directory_outside_the_checkout(self):
    checkout = os.path.dirname(os.path.dirname(_SCRIPT))
    first, second = _default_output_dir(), _default_output_dir()
    for path in (first, second):
      self.assertTrue(os.path.isdir(path))
      self.assertEqual(os.listdir(path), [])
      self.assertFalse(os.path.realpath(path).startswith(
          os.path.realpath(checkout) + os.sep), path)
      os.rmdir(path)
    self.assertNotEqual(first, second)

  def test_report_only_without_output_dir_is_refused(self):
    result = subprocess.run([sys.executable, _SCRIPT, '--report_only'],
                            capture_output=True, text=True, timeout=300,
                            check=False)
    self.assertNotEqual(result.returncode, 0)
    self.assertIn('--report_only needs --output_dir', result.stderr)


class MemoryGuardTest(unittest.TestCase):
  """Projections from hand-picked peaks; every run's model RSS is 0.5 GiB."""

  @classmethod
  def setUpClass(cls):
    cls.guard = _benchmark_module('memory_guard')

  def _train(self, seq_length, peak, checkpointing=False, status='ok'):
    return dict(_run('ours', 'train', 100.0, 'float32', seq_length=seq_length,
                     peak_rss_gib=peak, gradient_checkpointing=checkpointing),
                status=status)

  def _results(self):
    """Growth faster than linear without checkpointing, other runs beside."""
    return [self._train(4096, 2.0), self._train(8192, 6.0),
            self._train(16384, 14.0), self._train(65536, 1.0),
            self._train(16384, 7.34, checkpointing=True),
            dict(self._train(16384, 1.0), dtype='bfloat16'),
            dict(self._train(16384, 1.0), num_layers=6)]

  def test_line_through_the_two_longest_shorter_lengths_of_the_same_run(self):
    gib, basis = self.guard.project_peak_gib(self._train(32768, None),
                                             self._results())
    # 14 + (14 - 6) / 8192 * 16384 = 30, above 0.5 + 13.5 x 2 = 27.5. Not
    # used: 4096, the longer 65536, checkpointing, bfloat16, 6 layers.
    self.assertAlmostEqual(gib, 30.0)
    self.assertEqual(basis, 'line through T=8192: 6.00 GiB, T=16384: '
                     '14.00 GiB')

  def test_growth_past_the_model_in_proportion_where_that_is_larger(self):
    # The committed memory table: 10.72 and 18.90 GiB. Line: 35.26.
    results = [self._train(8192, 10.72), self._train(16384, 18.90)]
    gib, basis = self.guard.project_peak_gib(self._train(32768, None),
                                             results)
    self.assertAlmostEqual(gib, 37.3)  # 0.5 + (18.90 - 0.5) x 2
    self.assertEqual(basis, 'T=16384: 18.90 GiB less model 0.50 GiB, in '
                     'proportion to length')

  def test_one_shorter_length_scales_what_exceeds_the_model(self):
    gib, _ = self.guard.project_peak_gib(
        self._train(32768, None, checkpointing=True), self._results())
    self.assertAlmostEqual(gib, 14.18)  # 0.5 + (7.34 - 0.5) x 2

  def test_failed_or_missing_shorter_runs_give_no_projection(self):
    results = [self._train(8192, 10.72, status='error'),
               self._train(8192, 10.72, status='killed')]
    self.assertIsNone(self.guard.project_peak_gib(self._train(32768, None),
                                                  results))
    self.assertIsNone(self.guard.not_run_result(self._train(32768, None),
                                                results[:1], 1.0))

  def test_a_killed_shorter_length_stops_longer_ones(self):
    killed = dict(self._train(8192, None, status='killed'),
                  error='resident memory 21.7 GiB passed the memory limit '
                  'of 21.6 GiB')
    results = [self._train(4096, 2.0), killed]
    row = self.guard.not_run_result(self._train(16384, None), results, 21.6)
    self.assertEqual(row['status'], 'not run')
    self.assertEqual(row['seq_length'], 16384)
    self.assertNotIn('projected_peak_gib', row)  # nothing to plot
    self.assertEqual(row['error'], 'T=8192 of this configuration was killed '
                     '(resident memory 21.7 GiB passed the memory limit of '
                     '21.6 GiB), so T=16384 would pass the memory limit of '
                     '21.6 GiB too')
    # Other configurations and shorter lengths still run (and project
    # from their ok runs only).
    for run in (self._train(16384, None, checkpointing=True),
                dict(self._train(16384, None), dtype='bfloat16'),
                self._train(6144, None)):
      self.assertIsNone(self.guard.not_run_result(run, results, 21.6),
                        msg=str(run))

  def test_over_the_limit_is_a_not_run_row_under_it_runs(self):
    run = self._train(32768, None)
    row = self.guard.not_run_result(run, self._results(), 29.5)
    self.assertEqual(row['status'], 'not run')
    self.assertEqual(row['seq_length'], 32768)
    self.assertAlmostEqual(row['projected_peak_gib'], 30.0)
    self.assertTrue(row['error'].startswith(
        'projected 30.0 GiB > limit 29.5 GiB (line through T=8192'),
                    row['error'])
    self.assertIsNone(self.guard.not_run_result(run, self._results(), 30.5))

  def test_default_limit_leaves_a_margin(self):
    self.assertAlmostEqual(self.guard.default_limit_gib(24.0), 21.6)

  def test_lengths_run_shortest_first(self):
    plan = _benchmark_module('encoder_plan')
    args = types.SimpleNamespace(
        memory_seq_lengths=['32768', '8192', '16384'], memory_train=True,
        gradient_checkpointing=False, memory_hf=False, memory_repeats=1,
        measure_error=False, jit_compile='on')
    runs = plan.memory_runs(args)
    self.assertEqual([r.seq_length for r in runs],
                     [8192, 16384, 32768, 8192, 16384, 32768])


class WorkerMemoryLimitTest(unittest.TestCase):
  """A worker holding 512 MiB for up to 3 s, with and without a limit."""

  def _run(self, memory_limit_gib):
    workers = _benchmark_module('workers')
    with tempfile.TemporaryDirectory() as folder:
      script = os.path.join(folder, 'worker.py')
      with open(script, 'w') as f:
        f.write('import time\n'
                'block = bytearray(512 * 2**20)\n'
                'block[::4096] = b"x" * len(block[::4096])\n'  # Resident.
                'time.sleep(3)\n'
                'print(\'{"status": "ok"}\')\n')
      return workers.run_worker(script, [], 1, 60,
                                os.path.join(folder, 'logs', 'w.log'),
                                memory_limit_gib)

  def test_worker_past_the_limit_is_killed_with_the_reason(self):
    result = self._run(0.25)
    self.assertEqual(result['status'], 'killed')
    self.assertIn('passed the memory limit of 0.25 GiB', result['error'])
    self.assertLess(result['wall_s'], 3)

  def test_worker_under_the_limit_or_without_one_finishes(self):
    self.assertEqual(self._run(None)['status'], 'ok')
    self.assertEqual(self._run(4.0)['status'], 'ok')


class WorkerFailureTest(unittest.TestCase):

  def test_failure_names_the_innermost_cause_not_the_wrappers(self):
    workers = _benchmark_module('workers')
    stderr = '\n'.join([
        'Traceback (most recent call last):',
        'TypeError: in user code:',
        "    TypeError: Exception encountered when calling layer 'x'.",
        "        TypeError: Input 'e' of 'SelectV2' Op has type bfloat16.",
        '', "Call arguments received by layer 'x':"])
    self.assertEqual(workers.failure(1, stderr)['error'],
                     "exit 1: TypeError: Input 'e' of 'SelectV2' Op has type "
                     'bfloat16.')


if __name__ == '__main__':
  unittest.main()
