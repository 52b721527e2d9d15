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

"""Session-wide test fixtures: each expensive artefact is built once per run.

Fixtures hand out paths to read-only artefacts: a test that changes one
(adds a stray file, deletes a weight) copies it first (`shutil.copytree`).
CLIs run in process through `cli_in_process.run(script, argv)`.
"""
import collections
import os

import pytest

TrainedGlueRun = collections.namedtuple(
    'TrainedGlueRun', ['train_path', 'eval_path', 'model_dir', 'overrides'])


@pytest.fixture(scope='session')
def tiny_tokenizer_dir(tmp_path_factory) -> str:
  """`tiny_tokenizer.build_tiny_tokenizer` output (RoBERTa ids, vocab 400)."""
  import tiny_tokenizer  # pylint: disable=g-import-not-at-top
  return tiny_tokenizer.build_tiny_tokenizer(
      str(tmp_path_factory.mktemp('tiny_tokenizer')))


@pytest.fixture(scope='session')
def tiny_hf_model():
  """`hf_reference.hf_model(hf_reference.tiny_hf_config())`: do not modify."""
  import hf_reference  # pylint: disable=g-import-not-at-top
  return hf_reference.hf_model(hf_reference.tiny_hf_config())


@pytest.fixture(scope='session')
def tiny_hf_dir(tiny_hf_model, tmp_path_factory) -> str:
  """`tiny_hf_model` saved by `save_pretrained` (model.safetensors)."""
  directory = tmp_path_factory.mktemp('tiny_hf')
  tiny_hf_model.save_pretrained(directory)
  return str(directory)


@pytest.fixture(scope='session')
def tiny_converted_prefix(tiny_hf_dir, tmp_path_factory) -> str:
  """`tiny_hf_dir` through the converter (1 global token, self-checked).

  Returns the checkpoint prefix; `encoder_config.yaml` lies beside it.
  """
  import cli_in_process  # pylint: disable=g-import-not-at-top
  prefix = os.path.join(str(tmp_path_factory.mktemp('tiny_converted')),
                        'tf', 'longformer')
  result = cli_in_process.run(
      'utils/convert_pretrained_pytorch_checkpoint_to_tf.py',
      [f'--pytorch_model={tiny_hf_dir}', f'--output_path={prefix}',
       '--tolerance=1e-5'])
  assert result.returncode == 0, result.stderr[-3000:]
  return prefix


@pytest.fixture(scope='session')
def trained_glue_run(tmp_path_factory) -> TrainedGlueRun:
  """One 2-step float32 train_and_eval of the tiny glue model, in process.

  Tests must not modify `model_dir`: copy it (shutil.copytree) first.
  """
  import tiny_experiment  # pylint: disable=g-import-not-at-top
  directory = str(tmp_path_factory.mktemp('trained_glue'))
  train_path, eval_path = tiny_experiment.write_records(directory)
  overrides = tiny_experiment.glue_overrides(train_path, eval_path, 2)
  model_dir = os.path.join(directory, 'model')
  tiny_experiment.run_train(model_dir, overrides, mode='train_and_eval')
  return TrainedGlueRun(train_path, eval_path, model_dir, overrides)
