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

"""The converter CLI end to end on tiny HF models saved by the test.

One test runs the script as a subprocess (its entry point); the others call
its `main` in process (`cli_in_process`).
"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import torch
import transformers
import yaml

from safetensors.numpy import load_file
from safetensors.numpy import save_file

import cli_in_process
import hf_reference
from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = 'utils/convert_pretrained_pytorch_checkpoint_to_tf.py'


def _convert(model_dir, output_path, *flags):
  """Runs the converter's main in process: returncode, stdout, stderr."""
  return cli_in_process.run(SCRIPT, [f'--pytorch_model={model_dir}',
                                     f'--output_path={output_path}', *flags])


def _convert_in_subprocess(model_dir, output_path, *flags):
  return subprocess.run(
      [sys.executable, os.path.join(REPO, SCRIPT),
       f'--pytorch_model={model_dir}', f'--output_path={output_path}',
       *flags], capture_output=True, text=True, cwd=REPO, timeout=300,
      check=False)


def _restore_encoder(output_path):
  """Builds the encoder from the written YAML and restores the checkpoint."""
  with open(os.path.join(os.path.dirname(output_path),
                         'encoder_config.yaml')) as f:
    task = yaml.safe_load(f)['task']
  assert task['init_checkpoint'] == os.path.abspath(output_path)
  block = task['model']['encoder']
  assert block['type'] == 'any'
  encoder_config = config_lib.LongformerEncoderConfig(**block['any'])
  encoder = config_lib.build_longformer_encoder(encoder_config)
  length = max(8, encoder_config.global_attention_size)
  encoder(dict(input_word_ids=tf.ones((1, length), tf.int32),
               input_mask=tf.ones((1, length), tf.int32),
               input_type_ids=tf.zeros((1, length), tf.int32)))
  tf.train.Checkpoint(encoder=encoder).read(
      output_path).assert_existing_objects_matched()
  return encoder, encoder_config


def test_converts_with_16_global_tokens_ignoring_a_stray_weights_file(
    tmp_path, tiny_hf_model, tiny_hf_dir):
  """The script's entry point: a real subprocess."""
  model = tiny_hf_model
  shutil.copytree(tiny_hf_dir, tmp_path / 'hf')
  # A backup with other weights: transformers ignores it, so must we.
  other = hf_reference.state_of(hf_reference.hf_model(model.config, seed=1))
  save_file({k: np.ascontiguousarray(v) for k, v in other.items()},
            str(tmp_path / 'hf' / 'backup.safetensors'))
  output_path = str(tmp_path / 'tf' / 'longformer')
  result = _convert_in_subprocess(
      tmp_path / 'hf', output_path, '--global_attention_size=16',
      '--check_batch_size=3', '--check_seq_length=40', '--tolerance=1e-5')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'backup.safetensors' not in result.stdout + result.stderr
  diffs = [float(d) for d in re.findall(r'max abs diff \w+ = (\S+)',
                                        result.stdout)]
  assert len(diffs) == 2 and max(diffs) <= hf_reference.PARITY_ATOL, (
      result.stdout)
  assert 'self-check passed' in result.stdout.splitlines()[-1]

  encoder, encoder_config = _restore_encoder(output_path)
  assert encoder_config.global_attention_size == 16
  assert list(encoder_config.attention_window) == [4, 8]
  assert encoder_config.norm_epsilon == model.config.layer_norm_eps
  batch = hf_reference.random_batch(model.config, 3, 27, 16,
                                    real_lengths=[27, 20, 16])
  ours = encoder(batch)
  hf_reference.assert_parity(
      {k: (v.numpy() if not isinstance(v, list) else [x.numpy() for x in v])
       for k, v in ours.items()},
      hf_reference.hf_outputs(model, batch, 16))


def test_failed_self_check_leaves_no_files(tmp_path, tiny_hf_dir):
  result = _convert(tiny_hf_dir, str(tmp_path / 'tf' / 'longformer'),
                    '--tolerance=1e-12')
  assert result.returncode != 0
  assert 'Self-check FAILED' in result.stderr, result.stderr[-2000:]
  assert not os.listdir(tmp_path)  # No output, no staging.


def test_torch_task_checkpoint_is_read_with_weights_only(tmp_path):
  hf_config = hf_reference.tiny_hf_config()
  torch.manual_seed(0)
  task_model = transformers.LongformerForMaskedLM(hf_config)
  model_dir = tmp_path / 'hf'
  model_dir.mkdir()
  hf_config.save_pretrained(model_dir)
  torch.save(task_model.state_dict(), model_dir / 'pytorch_model.bin')
  output_path = str(tmp_path / 'tf' / 'longformer')
  result = _convert(model_dir, output_path)
  assert result.returncode == 0, result.stderr[-3000:]
  # The lm_head is converted and checked, not ignored; the pretraining
  # model does not use the (missing) pooler, so there is no warning.
  assert 'max abs diff mlm_logits' in result.stdout, result.stdout
  assert 'Ignored' not in result.stdout and 'no pooler' not in result.stdout
  assert 'self-check passed' in result.stdout

  encoder, _ = _restore_encoder(output_path)
  reference = transformers.LongformerModel(hf_config, add_pooling_layer=False)
  reference.load_state_dict(checkpoint_conversion.strip_task_prefix(
      task_model.state_dict()), strict=False)
  batch = hf_reference.random_batch(hf_config, 2, 21, 1)
  global_mask = np.zeros_like(batch['input_mask'])
  global_mask[:, 0] = 1
  with torch.no_grad():
    expected = reference.eval()(
        input_ids=torch.from_numpy(batch['input_word_ids'].astype(np.int64)),
        attention_mask=torch.from_numpy(batch['input_mask'].astype(np.int64)),
        global_attention_mask=torch.from_numpy(global_mask.astype(np.int64)),
        token_type_ids=torch.from_numpy(
            batch['input_type_ids'].astype(np.int64))).last_hidden_state
  diff, where = hf_reference.max_diff(encoder(batch)['sequence_output'],
                                      expected.numpy())
  assert diff <= hf_reference.PARITY_ATOL, (diff, where)


def test_mismatched_checkpoint_names_the_weights(tmp_path, tiny_hf_dir):
  shutil.copytree(tiny_hf_dir, tmp_path / 'hf')
  # The config promises a bigger feed-forward than the weights hold, and one
  # weight is missing.
  weights = load_file(tmp_path / 'hf' / 'model.safetensors')
  del weights['encoder.layer.1.attention.self.value_global.bias']
  save_file(weights, tmp_path / 'hf' / 'model.safetensors')
  config = transformers.LongformerConfig.from_pretrained(tmp_path / 'hf')
  config.intermediate_size = 64
  config.save_pretrained(tmp_path / 'hf')
  output_path = tmp_path / 'tf' / 'longformer'
  result = _convert(tmp_path / 'hf', str(output_path))
  assert result.returncode != 0
  assert ('missing in checkpoint: '
          'encoder.layer.1.attention.self.value_global.bias') in result.stderr
  assert re.search(r'shape mismatch: encoder\.layer\.0\.intermediate\.dense'
                   r'\.weight \(48, 32\)', result.stderr), result.stderr[-2000:]
  assert not os.path.exists(tmp_path / 'tf')  # Nothing written.


def test_unmapped_encoder_weight_is_an_error(tiny_hf_model):
  model = tiny_hf_model
  state = dict(hf_reference.state_of(model))
  state['encoder.layer.0.attention.self.extra.weight'] = np.zeros(
      (2,), np.float32)
  with pytest.raises(checkpoint_conversion.CheckpointMismatchError,
                     match='unmapped encoder weight in checkpoint: '
                     'encoder.layer.0.attention.self.extra.weight'):
    hf_reference.converted_encoder(model, 1, state=state)


def test_unknown_local_path_fails_clearly(tmp_path):
  result = _convert(tmp_path / 'nope', str(tmp_path / 'out' / 'ckpt'),
                    '--check=false')
  assert result.returncode != 0
  assert 'Pass a local directory' in result.stderr or (
      'Could not download' in result.stderr), result.stderr[-2000:]


def test_roberta_folder_names_the_type_and_the_tool_to_use(tmp_path):
  transformers.RobertaConfig(vocab_size=97, hidden_size=32,
                             num_hidden_layers=2, num_attention_heads=4,
                             intermediate_size=48).save_pretrained(tmp_path)
  result = _convert(tmp_path, str(tmp_path / 'out' / 'longformer'))
  assert result.returncode != 0
  assert "model_type='roberta'" in result.stderr, result.stderr[-2000:]
  assert 'convert_roberta_to_longformer.py' in result.stderr
  assert not os.path.exists(tmp_path / 'out')
