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

"""RoBERTa -> Longformer (`utils/convert_roberta_to_longformer.py`).

References: HF `RobertaModel` / `RobertaForMaskedLM` (tiny, random, saved by
the test). Within RoBERTa's length, with windows covering the whole
sequence and no global tokens, a Longformer is a RoBERTa.
"""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import torch
import transformers
import yaml

import hf_reference
from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib
from longformer.conversion import roberta_conversion
from longformer.conversion import roberta_to_longformer
from official.core import exp_factory
from official.core import task_factory

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_CLI = os.path.join(_REPO, 'utils', 'convert_roberta_to_longformer.py')
_ROBERTA_LENGTH = 64  # max_position_embeddings 66 - RoBERTa's offset of 2
_MAX_SEQ_LENGTH = 300  # 4 copies of 64 positions + 44: a partial last copy


def _tiny_roberta(cls, seed=0):
  """A random RoBERTa (hidden 32, 3 layers) with weights scaled up."""
  torch.manual_seed(seed)
  model = cls(transformers.RobertaConfig(
      vocab_size=97, hidden_size=32, num_hidden_layers=3,
      num_attention_heads=4, intermediate_size=48,
      max_position_embeddings=_ROBERTA_LENGTH + 2, type_vocab_size=1,
      pad_token_id=1, layer_norm_eps=1e-5, hidden_dropout_prob=0.0,
      attention_probs_dropout_prob=0.0))
  with torch.no_grad():
    for name, param in model.named_parameters():
      if 'LayerNorm' in name or 'layer_norm' in name:
        param.add_(0.1 * torch.randn_like(param))
      elif name == 'lm_head.bias':
        param.add_(torch.randn_like(param))
      else:
        param.mul_(4.0)
  return model.eval()


def _convert(model_dir, output_path, *flags):
  """The CLI as a real subprocess (its entry-point test)."""
  return subprocess.run(
      [sys.executable, _CLI, f'--roberta_model={model_dir}',
       f'--output_path={output_path}', *flags],
      capture_output=True, text=True, cwd=_REPO, timeout=300, check=False)


_FLAGS = (f'--max_seq_length={_MAX_SEQ_LENGTH}', '--attention_window=16',
          '--global_attention_size=2', '--check_batch_size=3',
          '--check_seq_length=40', '--tolerance=1e-5')


def _written_config(output_path):
  with open(os.path.join(os.path.dirname(output_path),
                         'encoder_config.yaml')) as f:
    written = yaml.safe_load(f)
  # The `encoder:` block, alone or inside a full `task:` override file.
  block = written.get('encoder') or written['task']['model']['encoder']
  return config_lib.LongformerEncoderConfig(**block['any'])


def _pretrainer(encoder_config, checkpoint_path):
  """`longformer/pretraining`'s model, initialized by the task."""
  params = exp_factory.get_exp_config('longformer/pretraining')
  params.override({'task': {
      'init_checkpoint': checkpoint_path,
      'model': {'encoder': {'type': 'any',
                            'any': encoder_config.as_dict()}}}},
                  is_strict=False)
  task = task_factory.get_task(params.task)
  model = task.build_model()
  task.initialize(model)
  return model


def _batch(length, seed=1):
  rng = np.random.default_rng(seed)
  ids = rng.integers(2, 97, (2, length))
  mask = np.ones((2, length), np.int32)
  mask[1, length // 3:] = 0
  ids[mask == 0] = 1
  return dict(input_word_ids=ids.astype(np.int32), input_mask=mask,
              input_type_ids=np.zeros_like(mask))


def _as_long(x):
  return torch.from_numpy(np.asarray(x, np.int64))


@pytest.fixture(scope='module')
def converted_masked_lm(tmp_path_factory):
  """(RobertaForMaskedLM, output prefix, CLI result)."""
  tmp = tmp_path_factory.mktemp('roberta_mlm')
  model = _tiny_roberta(transformers.RobertaForMaskedLM)
  model.save_pretrained(tmp / 'hf')
  output_path = str(tmp / 'out' / 'longformer')
  return model, output_path, _convert(tmp / 'hf', output_path, *_FLAGS)


def test_cli_self_check_and_config(converted_masked_lm):
  model, output_path, result = converted_masked_lm
  assert result.returncode == 0, result.stderr[-3000:]
  diffs = dict(re.findall(r'max abs diff (\w+) = (\S+)', result.stdout))
  assert set(diffs) == {'sequence_output', 'mlm_logits'}, result.stdout
  assert max(map(float, diffs.values())) <= hf_reference.PARITY_ATOL
  config = _written_config(output_path)
  assert config.max_position_embeddings == _MAX_SEQ_LENGTH + 2
  assert list(config.attention_window) == [16, 16, 16]
  assert config.global_attention_size == 2
  assert config.num_layers == model.config.num_hidden_layers


def test_mlm_logits_equal_roberta_with_full_windows(converted_masked_lm):
  model, output_path, _ = converted_masked_lm
  config = _written_config(output_path)
  config.attention_window = [128]  # one-sided 64 >= every distance
  config.global_attention_size = 0
  pretrainer = _pretrainer(config, output_path)
  batch = _batch(_ROBERTA_LENGTH)
  positions = np.tile(np.arange(_ROBERTA_LENGTH, dtype=np.int32), (2, 1))
  ours = pretrainer(dict(batch, masked_lm_positions=positions),
                    training=False)['mlm_logits'].numpy()
  with torch.no_grad():
    theirs = model(input_ids=_as_long(batch['input_word_ids']),
                   attention_mask=_as_long(batch['input_mask'])
                   ).logits.numpy()
  real = batch['input_mask'][..., None] > 0
  diff = np.abs(np.where(real, ours - theirs, 0)).max()
  assert diff <= hf_reference.PARITY_ATOL, diff


def test_position_table_is_copied_row_by_row(converted_masked_lm):
  model, output_path, _ = converted_masked_lm
  reader = tf.train.load_checkpoint(output_path)
  key = next(k for k in reader.get_variable_to_shape_map()
             if k.startswith('encoder/') and 'position_embedding' in k
             and 'OPTIMIZER' not in k)
  table = reader.get_tensor(key)
  roberta = model.roberta.embeddings.position_embeddings.weight.detach(
  ).numpy()
  assert table.shape == (_MAX_SEQ_LENGTH + 2, 32)
  for row in range(table.shape[0]):
    # allenai's recipe: rows 0 and 1 (pad_token_id = 1, offset 2) as
    # they are, then RoBERTa's 64 learned rows again and again.
    source = row if row < 2 else 2 + (row - 2) % _ROBERTA_LENGTH
    np.testing.assert_array_equal(table[row], roberta[source],
                                  err_msg=f'row {row}')


def test_global_projections_are_the_local_ones(converted_masked_lm):
  model, output_path, _ = converted_masked_lm
  reader = tf.train.load_checkpoint(output_path)
  names = [k for k in reader.get_variable_to_shape_map()
           if k.startswith('encoder/') and '_global/' in k]
  assert len(names) == 3 * 2 * model.config.num_hidden_layers, names
  for name in names:
    local = name.replace('query_global', 'query').replace(
        'key_global', 'key').replace('value_global', 'value')
    np.testing.assert_array_equal(reader.get_tensor(name),
                                  reader.get_tensor(local), err_msg=name)


def test_bare_roberta_model_outputs_equal(tmp_path):
  model = _tiny_roberta(transformers.RobertaModel, seed=2)
  model.save_pretrained(tmp_path / 'hf')
  output_path = str(tmp_path / 'out' / 'ckpt')
  written = roberta_to_longformer.convert(
      str(tmp_path / 'hf'), output_path, max_seq_length=64,
      attention_window=8, global_attention_size=0)
  assert set(written.diffs) == {'sequence_output', 'pooled_output'}
  names = [n for n, _ in tf.train.list_variables(output_path)]
  assert not any(n.startswith('masked_lm/') for n in names)
  config = _written_config(output_path)
  config.attention_window = [128]
  encoder = config_lib.build_longformer_encoder(config)
  batch = _batch(50)
  encoder(batch)
  tf.train.Checkpoint(encoder=encoder).read(output_path).assert_consumed()
  ours = encoder(batch, training=False)
  with torch.no_grad():
    theirs = model(input_ids=_as_long(batch['input_word_ids']),
                   attention_mask=_as_long(batch['input_mask']))
  real = batch['input_mask'][..., None] > 0
  seq_diff = np.abs(np.where(real, ours['sequence_output'].numpy() -
                             theirs.last_hidden_state.numpy(), 0)).max()
  pooled_diff = np.abs(ours['pooled_output'].numpy() -
                       theirs.pooler_output.numpy()).max()
  assert max(seq_diff, pooled_diff) <= hf_reference.PARITY_ATOL, (
      seq_diff, pooled_diff)


def test_position_table_without_offset_breaks_parity():
  """Negative control: extending from row 0 instead of RoBERTa's offset."""
  model = _tiny_roberta(transformers.RobertaModel, seed=2)
  roberta_config = model.config.to_dict()
  state = {k: v.numpy() for k, v in model.state_dict().items()}
  longformer_state = roberta_conversion.roberta_state_to_longformer(
      state, roberta_config, 64)
  table = state['embeddings.position_embeddings.weight']
  longformer_state['embeddings.position_embeddings.weight'] = np.concatenate(
      [table[:2], table[:64]])
  config = checkpoint_conversion.encoder_config_from_hf(
      roberta_conversion.longformer_config_from_roberta(
          roberta_config, 64, 128), global_attention_size=0)
  encoder = config_lib.build_longformer_encoder(config)
  batch = _batch(50)
  encoder(batch)
  checkpoint_conversion.load_hf_weights(encoder, longformer_state)
  with torch.no_grad():
    theirs = model(input_ids=_as_long(batch['input_word_ids']),
                   attention_mask=_as_long(batch['input_mask']))
  diff = np.abs(encoder(batch)['sequence_output'].numpy()[0] -
                theirs.last_hidden_state.numpy()[0]).max()
  assert diff > 100 * hf_reference.PARITY_ATOL, diff


@pytest.mark.parametrize('change, args, message', [
    ({'model_type': 'bert'}, (4096, 512), 'not a RoBERTa-family model'),
    ({'model_type': 'longformer'}, (4096, 512),
     'convert_pretrained_pytorch_checkpoint_to_tf'),
    ({'position_embedding_type': 'relative_key'}, (4096, 512),
     'only learned absolute positions'),
    ({}, (4096, 7), 'attention_window=7 must be a positive even'),
    ({}, (63, 8), 'max_seq_length=63 is shorter than'),
])
def test_bad_configs_are_refused(change, args, message):
  config = dict(_tiny_roberta(transformers.RobertaModel).config.to_dict(),
                **change)
  with pytest.raises(ValueError, match=message):
    roberta_conversion.longformer_config_from_roberta(config, *args)


def test_failed_self_check_leaves_nothing(tmp_path):
  model = _tiny_roberta(transformers.RobertaModel, seed=3)
  model.save_pretrained(tmp_path / 'hf')
  with pytest.raises(ValueError, match='Self-check FAILED'):
    roberta_to_longformer.convert(
        str(tmp_path / 'hf'), str(tmp_path / 'out' / 'ckpt'),
        max_seq_length=64, attention_window=8, tolerance=1e-12)
  assert os.listdir(tmp_path) == ['hf']  # No output folder, no staging.


def test_existing_output_refused_then_replaced_with_overwrite(tmp_path):
  model = _tiny_roberta(transformers.RobertaModel, seed=3)
  model.save_pretrained(tmp_path / 'hf')
  out = tmp_path / 'out'
  out.mkdir()
  (out / 'encoder_config.yaml').write_text('old')
  (out / 'ckpt.data-00000-of-00002').write_text('stale shard')
  (out / 'notes.txt').write_text('kept')
  kwargs = dict(max_seq_length=64, attention_window=8)
  with pytest.raises(ValueError, match='encoder_config.yaml.*--overwrite'):
    roberta_to_longformer.convert(str(tmp_path / 'hf'), str(out / 'ckpt'),
                                  **kwargs)
  assert (out / 'encoder_config.yaml').read_text() == 'old'
  roberta_to_longformer.convert(str(tmp_path / 'hf'), str(out / 'ckpt'),
                                overwrite=True, **kwargs)
  assert sorted(os.listdir(out)) == [
      'ckpt.data-00000-of-00001', 'ckpt.index', 'encoder_config.yaml',
      'notes.txt']


def test_recopy_global_from_local(converted_masked_lm, tmp_path):
  """A checkpoint whose global projections drifted gets the local ones back;
  everything else, the masked-LM head included, is kept."""
  _, output_path, _ = converted_masked_lm
  config = _written_config(output_path)
  drifted = _pretrainer(config, output_path)
  drifted(dict(_batch(20), masked_lm_positions=np.zeros((2, 3), np.int32)))
  encoder = drifted.encoder_network
  for _, _, _, global_ in roberta_conversion.local_and_global_pairs(encoder):
    global_.assign(global_ + 0.5)
  source = str(tmp_path / 'drifted' / 'ckpt')
  os.makedirs(os.path.dirname(source))
  tf.train.Checkpoint(encoder=encoder, masked_lm=drifted.masked_lm).write(
      source)
  with open(os.path.join(os.path.dirname(output_path),
                         'encoder_config.yaml')) as f:
    (tmp_path / 'drifted' / 'encoder_config.yaml').write_text(f.read())
  target = str(tmp_path / 'recopied' / 'ckpt')
  roberta_to_longformer.recopy(source, target)
  recopied = tf.train.load_checkpoint(target)
  original = tf.train.load_checkpoint(output_path)
  for name in original.get_variable_to_shape_map():
    if name.startswith(('encoder/', 'masked_lm/')) and '.ATTRIBUTES' in name:
      np.testing.assert_array_equal(recopied.get_tensor(name),
                                    original.get_tensor(name), err_msg=name)


@pytest.mark.parametrize('cls, config_cls', [
    (transformers.XLMRobertaModel, transformers.XLMRobertaConfig),
    (transformers.CamembertModel, transformers.CamembertConfig),
])
def test_roberta_family_converts(cls, config_cls):
  """XLM-R and CamemBERT share RoBERTa's names and position offset."""
  torch.manual_seed(5)
  model = cls(config_cls(
      vocab_size=97, hidden_size=32, num_hidden_layers=2,
      num_attention_heads=4, intermediate_size=48,
      max_position_embeddings=_ROBERTA_LENGTH + 2, type_vocab_size=1,
      pad_token_id=1, hidden_dropout_prob=0.0,
      attention_probs_dropout_prob=0.0)).eval()
  roberta_config = model.config.to_dict()
  state = {k: v.numpy() for k, v in model.state_dict().items()}
  config = checkpoint_conversion.encoder_config_from_hf(
      roberta_conversion.longformer_config_from_roberta(
          roberta_config, 128, 128), global_attention_size=0)
  encoder = config_lib.build_longformer_encoder(config)
  batch = _batch(50)
  encoder(batch)
  checkpoint_conversion.load_hf_weights(
      encoder, roberta_conversion.roberta_state_to_longformer(
          state, roberta_config, 128))
  with torch.no_grad():
    theirs = model(input_ids=_as_long(batch['input_word_ids']),
                   attention_mask=_as_long(batch['input_mask']))
  real = batch['input_mask'][..., None] > 0
  diff = np.abs(np.where(real, encoder(batch)['sequence_output'].numpy() -
                         theirs.last_hidden_state.numpy(), 0)).max()
  assert diff <= hf_reference.PARITY_ATOL, diff
