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
"""What both offline demo drivers do: claim the output, run, read results.

`utils/run_demo.py` and `utils/run_qa_demo.py` run the data tool and
`train.py` as subprocesses (each its own process, as a user would), read the
runs' TensorBoard summaries and write a Markdown table. Their output folder
follows the project's one output rule: an existing one is refused unless
`overwrite`, which replaces it whole.
"""
import datetime
import glob
import os
import platform
import shutil
import subprocess
import time
from typing import List, Optional

from absl import logging
import tensorflow as tf

from longformer.files import staged_output


def claim_outputs(output_dir: str, results_md: Optional[str],
                  overwrite: bool) -> str:
  """Refuses existing outputs unless `overwrite`; then removes them whole.

  Args:
    output_dir: the demo's folder (data, model dirs, logs).
    results_md: the Markdown table it will write, or None.
    overwrite: the user's --overwrite.

  Returns:
    The absolute output_dir, created and empty.

  Raises:
    staged_output.OutputExistsError: an output exists and not `overwrite`.
  """
  output_dir = os.path.abspath(output_dir)
  existing = [output_dir] if (os.path.isdir(output_dir) and
                              os.listdir(output_dir)) else []
  if results_md and os.path.exists(results_md):
    existing.append(results_md)
  staged_output.refuse_existing(existing, overwrite)
  if output_dir in existing:
    shutil.rmtree(output_dir)
  os.makedirs(output_dir, exist_ok=True)
  return output_dir


def write_results_md(path: str, text: str, overwrite: bool) -> None:
  """Writes the Markdown table through the staged writer."""
  path = os.path.abspath(path)
  with staged_output.staged(os.path.dirname(path), (), overwrite) as stage:
    staged_output.write_text(stage, path, text)
    stage.publish()


def run(command: List[str], log_path: str, cwd: str) -> float:
  """Runs `command` in `cwd`, its output into log_path; returns seconds.

  Raises:
    subprocess.CalledProcessError: it failed; its log says why.
  """
  logging.info('%s\n  (log: %s)', ' '.join(command), log_path)
  start = time.time()
  with open(log_path, 'w') as log:
    subprocess.run(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                   check=True)
  return time.time() - start


def last_scalar(event_dir: str, tag: str) -> float:
  """The value of `tag` at the last step in the summaries under event_dir.

  Raises:
    ValueError: no such summary.
  """
  value = None
  for path in sorted(glob.glob(os.path.join(event_dir, 'events.out.*'))):
    # Not tf.compat.v1.train.summary_iterator: its tf_record_iterator
    # prints a deprecation warning; nor `for record in TFRecordDataset`,
    # which ends on a logged OUT_OF_RANGE (`staged_output.read_records`).
    for record in staged_output.read_records(path):
      event = tf.compat.v1.Event.FromString(record.numpy())
      for v in event.summary.value:
        if v.tag == tag:
          value = float(tf.make_ndarray(v.tensor))
  if value is None:
    raise ValueError(f'No "{tag}" summary in {event_dir}.')
  return value


def written_by(command: str) -> str:
  """The results table's provenance line: the command, date and machine."""
  return (f'Written by `{command}` on {datetime.date.today().isoformat()}: '
          f'{platform.machine()}, {os.cpu_count()} CPU cores, TensorFlow '
          f'{tf.__version__}, Python {platform.python_version()}.')
