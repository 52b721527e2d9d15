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
"""The offline demos follow the one output rule (longformer/demos/runs.py).

An existing demo folder or results table is refused before any work unless
`--overwrite`, which replaces it whole. Through the demos' own `main`, in
process (the demos themselves take minutes; their refusals come first).
"""
import os

import pytest

import cli_in_process
from longformer.demos import runs
from longformer.files import staged_output


@pytest.mark.parametrize('script', ['utils/run_demo.py',
                                    'utils/run_qa_demo.py'])
def test_existing_output_dir_is_refused_and_left_alone(tmp_path, script):
  output_dir = tmp_path / 'demo'
  output_dir.mkdir()
  (output_dir / 'earlier_run.log').write_text('kept')
  result = cli_in_process.run(script, [f'--output_dir={output_dir}'])
  assert result.returncode == 1, result.stderr[-2000:]
  assert 'FAILED: Output already exists' in result.stderr
  assert '--overwrite' in result.stderr
  assert os.listdir(output_dir) == ['earlier_run.log']


def test_existing_results_md_is_refused_and_left_alone(tmp_path):
  table = tmp_path / 'results.md'
  table.write_text('the committed table')
  result = cli_in_process.run('utils/run_qa_demo.py', [
      f'--output_dir={tmp_path / "new_demo"}', f'--results_md={table}'])
  assert result.returncode == 1, result.stderr[-2000:]
  assert str(table) in result.stderr
  assert table.read_text() == 'the committed table'
  assert not (tmp_path / 'new_demo').exists()


def test_overwrite_replaces_the_whole_folder(tmp_path):
  output_dir = tmp_path / 'demo'
  (output_dir / 'global_attention_1').mkdir(parents=True)
  (output_dir / 'global_attention_1' / 'ckpt-300.index').write_text('old')
  claimed = runs.claim_outputs(str(output_dir), None, overwrite=True)
  assert claimed == str(output_dir)
  assert os.listdir(output_dir) == []


def test_results_md_is_replaced_only_with_overwrite(tmp_path):
  table = tmp_path / 'results.md'
  table.write_text('old')
  with pytest.raises(staged_output.OutputExistsError, match='--overwrite'):
    runs.write_results_md(str(table), 'new', overwrite=False)
  assert table.read_text() == 'old'
  runs.write_results_md(str(table), 'new', overwrite=True)
  assert table.read_text() == 'new'
  assert sorted(os.listdir(tmp_path)) == ['results.md']


def test_last_scalar_reads_the_last_step_without_end_of_data_noise(
    tmp_path, capfd):
  """The demos' results come from the summaries, read to their end."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  writer = tf.summary.create_file_writer(str(tmp_path))
  with writer.as_default():
    for step, value in enumerate([0.25, 0.5, 0.75]):
      tf.summary.scalar('accuracy', value, step=step)
  writer.close()
  capfd.readouterr()
  assert runs.last_scalar(str(tmp_path), 'accuracy') == 0.75
  # TensorFlow's C++ log goes to file descriptor 2 (issue 16, item 15).
  assert 'Local rendezvous is aborting' not in capfd.readouterr().err
  with pytest.raises(ValueError, match='No "loss" summary'):
    runs.last_scalar(str(tmp_path), 'loss')
