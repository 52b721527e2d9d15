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

"""Skips a benchmark configuration whose projected peak memory is too high.

Before `benchmark_encoder.py` starts a worker it projects the worker's peak
RSS from the ok runs of the same configuration (implementation, XLA or
graph, checkpointing, mode, dtype, layers, window) already measured at
shorter lengths in the same results, as the larger of:

  proportional  from the longest: model RSS + (peak - model RSS) x (length
                / measured length), i.e. all that grows past the model
                scaled with length (an upper bound where some of it is
                fixed: runtime, compiled code);
  line          with two or more lengths, the line through the two longest
                (peak memory is linear in length for a windowed encoder;
                the two longest carry the least start-up overhead).

With no shorter run of the configuration there is no projection and the
worker runs. A projection is an estimate, not a bound: measured small
lengths are noisy, so leave the default margin.

A worker whose projection exceeds the limit (`--memory_limit_gib`, by
default the machine's total memory less `MARGIN_FRACTION` of it) is not
started; its result keeps the run's fields, `status` 'not run', the
projection in `projected_peak_gib` and the reason in `error`. A worker of
a configuration whose shorter length was killed (status 'killed': past the
memory limit while running, or by a signal such as the kernel's OOM killer)
is not started either: a 'not run' row names that length and its error.
Lengths run shortest first (encoder_plan.py), so a long length sees its
shorter ones.
"""
from typing import Dict, List, Optional, Tuple

import report

Result = Dict[str, object]
NOT_RUN = report.NOT_RUN
# Left free for the OS, the driver and other processes: 24 GiB -> 21.6 GiB.
MARGIN_FRACTION = 0.10


def default_limit_gib(total_gib: float) -> float:
  """The default limit: total memory less MARGIN_FRACTION of it."""
  return total_gib * (1.0 - MARGIN_FRACTION)


def same_configuration(a: Result, b: Result) -> bool:
  """True if `a` and `b` differ at most in sequence length."""
  return (report.label(a) == report.label(b) and a['mode'] == b['mode'] and
          report.dtype_of(a) == report.dtype_of(b) and
          a.get('num_layers') == b.get('num_layers') and
          a.get('attention_window') == b.get('attention_window'))


def measured_points(run: Result, results: List[Result]) -> List[Result]:
  """The ok shorter runs like `run`, one per length (the last), shortest
  first."""
  points = {r['seq_length']: r for r in results
            if r['status'] == 'ok' and same_configuration(r, run)
            and r['seq_length'] < run['seq_length']}
  return [points[length] for length in sorted(points)]


def project_peak_gib(run: Result, results: List[Result]
                     ) -> Optional[Tuple[float, str]]:
  """The projected peak RSS of `run` in GiB and its basis, or None.

  Args:
    run: the configuration to project (run_one.py's fields; `seq_length`).
    results: earlier results (ok ones carry `peak_rss_gib`).

  Returns:
    (GiB, e.g. 'line through T=8192: 10.72 GiB, T=16384: 18.90 GiB'), or
    None where no shorter run of the same configuration was measured.
  """
  points = measured_points(run, results)
  if not points:
    return None
  at = lambda r: f'T={r["seq_length"]}: {r["peak_rss_gib"]:.2f} GiB'
  length, longest = run['seq_length'], points[-1]
  model = longest.get('model_rss_gib') or 0.0
  growth = longest['peak_rss_gib'] - model
  projections = [(model + growth * length / longest['seq_length'],
                  f'{at(longest)} less model {model:.2f} GiB, in proportion '
                  'to length')]
  if len(points) > 1:
    (t0, gib0), (t1, gib1) = [(r['seq_length'], r['peak_rss_gib'])
                              for r in points[-2:]]
    projections.append((gib1 + (gib1 - gib0) / (t1 - t0) * (length - t1),
                        f'line through {at(points[-2])}, {at(longest)}'))
  return max(projections)


def killed_shorter(run: Result, results: List[Result]) -> Optional[Result]:
  """The shortest killed run like `run` at a shorter length, or None."""
  killed = [r for r in results
            if r['status'] == 'killed' and same_configuration(r, run)
            and r['seq_length'] < run['seq_length']]
  return min(killed, key=lambda r: r['seq_length']) if killed else None


def not_run_result(run: Result, results: List[Result],
                   limit_gib: float) -> Optional[Result]:
  """The result of a run not to start, or None to run it: a shorter length
  of its configuration was killed, or it is projected over `limit_gib`."""
  killed = killed_shorter(run, results)
  if killed is not None:
    return dict(run, status=NOT_RUN, memory_limit_gib=limit_gib,
                error=f'T={killed["seq_length"]} of this configuration was '
                f'killed ({killed.get("error")}), so T={run["seq_length"]} '
                f'would pass the memory limit of {limit_gib:.1f} GiB too')
  projection = project_peak_gib(run, results)
  if projection is None or projection[0] <= limit_gib:
    return None
  gib, basis = projection
  return dict(run, status=NOT_RUN, projected_peak_gib=gib,
              memory_limit_gib=limit_gib,
              error=f'projected {gib:.1f} GiB > limit {limit_gib:.1f} GiB '
              f'({basis})')
