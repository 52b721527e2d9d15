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

"""Timing and resident-memory readings shared by the benchmark workers.

Memory (GiB, resident set), as `time_runs` reports it: `model_rss_gib` is
the RSS once the model is built, before the warm-up; `run_peak_rss_gib` the
peak during the timed runs only (the peak is reset through
/proc/self/clear_refs after the warm-up, so it excludes compilation; null
where the kernel does not allow the reset); `peak_rss_gib` the peak of the
whole process (getrusage ru_maxrss).
"""
import resource
import statistics
import time
from typing import Callable, Dict

KIB_PER_GIB = 2**20


def current_rss_gib() -> float:
  """The resident set size of this process now, in GiB."""
  with open('/proc/self/statm') as f:
    pages = int(f.read().split()[1])
  return pages * resource.getpagesize() / 2**30


def peak_rss_gib() -> float:
  """The peak resident set size (since start or the last reset), in GiB."""
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_GIB


def reset_peak_rss() -> bool:
  """Resets the kernel's peak-RSS counter; False where that is not allowed."""
  try:
    with open('/proc/self/clear_refs', 'w') as f:
      f.write('5')
  except OSError:
    return False
  return True


def time_runs(step: Callable[[], None], repeats: int) -> Dict[str, object]:
  """Warms `step` up once, then times it `repeats` times; memory as well.

  Returns:
    A dict with the run times (s), their median, and the memory fields
    described in the module docstring.
  """
  model_rss = current_rss_gib()
  step()
  warmup_peak = peak_rss_gib()
  can_reset = reset_peak_rss()
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
  run_peak = peak_rss_gib()
  return {
      'times_s': times,
      'median_s': statistics.median(times),
      'model_rss_gib': model_rss,
      'run_peak_rss_gib': run_peak if can_reset else None,
      'peak_rss_gib': max(warmup_peak, run_peak),
  }
