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

"""The encoder benchmark's plot: tokens/s and peak memory vs length.

One line per implementation, dtype and mode: colour = implementation,
marker = dtype (circle float32, square bfloat16), line = mode (solid
forward, dashed train). A configuration the memory guard did not run
(memory_guard.py) appears in the memory panel as an open marker at its
projected peak (above the limit, drawn as a horizontal line), joined by a
dotted line to its last measured point. One not run because a shorter
length was killed has no projection and is not drawn.
"""
import os
from typing import Dict, List

import report

COLORS = dict(zip(report.LABEL_ORDER, (
    'tab:blue', 'tab:green', 'tab:purple', 'tab:olive', 'tab:orange',
    'tab:red', 'tab:brown', 'tab:gray')))
MARKERS = {'float32': 'o', 'bfloat16': 's'}
LINE_STYLES = {'forward': '-', 'train': '--'}


def series(results, key: str) -> Dict[tuple, List[tuple]]:
  """(label, dtype, mode) -> sorted [(seq_length, result[key])] of ok runs."""
  points = {}
  for r in sorted(results['runs'], key=report.sort_key):
    if r['status'] == 'ok':
      points.setdefault((report.label(r), report.dtype_of(r), r['mode']),
                        []).append((r['seq_length'], r[key]))
  return points


def projected_series(results) -> Dict[tuple, List[tuple]]:
  """(label, dtype, mode) -> [(seq_length, projected GiB)] of runs not run."""
  points = {}
  for r in sorted(results['runs'], key=report.sort_key):
    if r['status'] == report.NOT_RUN and 'projected_peak_gib' in r:
      points.setdefault((report.label(r), report.dtype_of(r), r['mode']),
                        []).append((r['seq_length'], r['projected_peak_gib']))
  return points


def plot_projections(axis, results) -> None:
  """Open markers at projected peaks, dotted from the last measured point;
  the memory limit as a horizontal line."""
  projected = projected_series(results)
  if not projected:
    return
  measured = series(results, 'peak_rss_gib')
  for (name, dtype, mode), points in projected.items():
    anchor = measured.get((name, dtype, mode), [])[-1:]
    lengths, values = zip(*(anchor + points))
    axis.plot(lengths, values, linestyle=':', color=COLORS[name])
    lengths, values = zip(*points)
    axis.plot(lengths, values, linestyle='none', marker=MARKERS[dtype],
              color=COLORS[name], markerfacecolor='none',
              label=f'{name}, {dtype}, {mode}: projected, not run')
  axis.axhline(results['flags']['memory_limit_gib'], color='black',
               linewidth=0.8, linestyle='-.', label='memory limit')
  axis.legend(fontsize=7)


def plot_panel(axis, results, key: str, ylabel: str) -> None:
  """Draws one line per (implementation, dtype, mode) of result[key]."""
  order = lambda item: (report.LABEL_ORDER.index(item[0][0]),
                        report.DTYPE_ORDER.index(item[0][1]), item[0][2])
  for (name, dtype, mode), points in sorted(series(results, key).items(),
                                            key=order):
    lengths, values = zip(*points)
    axis.plot(lengths, values, marker=MARKERS[dtype], color=COLORS[name],
              linestyle=LINE_STYLES[mode], label=f'{name}, {dtype}, {mode}')
  axis.set_xscale('log', base=2)
  axis.set_xlabel('sequence length (tokens)')
  axis.set_ylabel(ylabel)
  axis.grid(True, alpha=0.3)


def write_plot(results, path: str) -> None:
  """Tokens/s (left) and peak memory (right) vs length, as a PNG."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  from matplotlib import pyplot  # pylint: disable=g-import-not-at-top
  from matplotlib import ticker  # pylint: disable=g-import-not-at-top
  figure, (speed, memory) = pyplot.subplots(1, 2, figsize=(14, 6))
  plot_panel(speed, results, 'tokens_per_s', 'tokens / s (higher is better)')
  plot_panel(memory, results, 'peak_rss_gib',
             'peak resident memory, GiB (lower is better)')
  plot_projections(memory, results)
  for axis in (speed, memory):
    axis.set_ylim(bottom=0)
    axis.xaxis.set_major_formatter(ticker.ScalarFormatter())
  speed.legend(fontsize=7, ncol=2)
  machine, run_flags = results['machine'], results['flags']
  dtypes = ', '.join(run_flags.get('dtypes') or ['float32'])
  figure.suptitle(
      f'Longformer encoder, num_layers {run_flags["num_layers"]}, window '
      f'{run_flags["attention_window"]}, batch 1, {dtypes}, '
      f'{machine["threads"]} threads: {machine["cpu"]}', fontsize=10)
  figure.tight_layout()
  figure.savefig(path + '.tmp.png', dpi=120)
  pyplot.close(figure)
  os.replace(path + '.tmp.png', path)
