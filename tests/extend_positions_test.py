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

"""Longer position tables for a Longformer (`utils/extend_positions.py`).

The source is a tiny random encoder with a masked-LM head (34 position rows:
32 tokens after RoBERTa's offset of 2), written as the converters write
(`tf.train.Checkpoint(encoder=, masked_lm=)` + encoder_config.yaml). The
expected table is allenai's recipe, computed here with NumPy row by row: row
r < 2 is old row r, row r >= 2 is old row 2 + (r - 2) % 32.
"""
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import tf_keras
import yaml

import cli_in_process
from longformer.configs import encoder_config as config_lib
from longformer.conversion import hf_config as hf_config_lib
from longformer.conversion import masked_lm_conversion
from longformer.modeling import encoder as encoder_lib
from official.core import exp_factory
from official.core import task_factory
from official.modeling import hyperparams

_CLI = 'utils/extend_positions.py'
_OFFSET = 2  # RoBERTa's: pad_token_id 1 + 1; rows 0 and 1 hold no token.
_OLD_TOKENS = 32  # 34 rows - _OFFSET: the learned block L.
_NEW_TOKENS = 96  # 3 whole copies of the 32 learned rows: 98 rows.
_PARTIAL_TOKENS = 90  # 2 copies + the first 26 rows: a partial last copy.
# The same weights on the same input; only the order of float sums may
# differ.
_OUTPUT_ATOL = 1e-6
_VALUE = '/.ATTRIBUTES/VARIABLE_VALUE'


def _config():
  return config_lib.LongformerEncoderConfig(
      vocab_size=60, hidden_size=32, num_layers=2, num_attention_heads=4,
      intermediate_size=48, max_position_embeddings=_OLD_TOKENS + _OFFSET,
      attention_window=[8, 16], global_attention_size=1, dropout_rate=0.0,
      attention_dropout_rate=0.0, type_vocab_size=1, pad_token_id=1)


def _batch(length, seed=3):
  """Ragged padding: row 1 ends after 2/3 of the length."""
  rng = np.random.default_rng(seed)
  ids = rng.integers(3, 60, (2, length)).astype(np.int32)
  mask = np.ones((2, length), np.int32)
  mask[1, 2 * length // 3:] = 0
  ids[mask == 0] = 1
  return dict(input_word_ids=ids, input_mask=mask,
              input_type_ids=np.zeros_like(mask))


def _write_source(directory, extra=None):
  """A random tiny encoder + masked-LM head at `directory`/ckpt."""
  config = _config()
  encoder = config_lib.build_longformer_encoder(config)
  encoder(_batch(16))
  head = masked_lm_conversion.build_masked_lm(encoder,
                                              {'layer_norm_eps': 1e-5})
  rng = np.random.default_rng(0)
  for variable in encoder.variables + head.variables:
    variable.assign(rng.normal(0, 0.5, variable.shape).astype(np.float32))
  os.makedirs(directory, exist_ok=True)
  prefix = os.path.join(directory, 'ckpt')
  items = masked_lm_conversion.checkpoint_items(encoder, head)
  tf.train.Checkpoint(**items, **(extra or {})).write(prefix)
  with open(os.path.join(directory, 'encoder_config.yaml'), 'w') as f:
    yaml.safe_dump(hf_config_lib.encoder_yaml_dict(config), f)
  return prefix


def _extend(source, output_path, max_seq_length, *flags):
  return cli_in_process.run(_CLI, [
      f'--input_checkpoint={source}', f'--output_path={output_path}',
      f'--max_seq_length={max_seq_length}', *flags])


@pytest.fixture(scope='module')
def extended(tmp_path_factory):
  """(source prefix, output prefix, CLI result) for 32 -> 96 tokens."""
  tmp = tmp_path_factory.mktemp('extend_positions')
  source = _write_source(str(tmp / 'source'))
  output_path = str(tmp / 'out' / 'ckpt')
  return source, output_path, _extend(source, output_path, _NEW_TOKENS)


def _values(prefix):
  """Checkpoint key -> value of every saved variable."""
  reader = tf.train.load_checkpoint(prefix)
  return {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()
          if k.endswith(_VALUE)}


def _table_key(values):
  keys = [k for k in values
          if k.startswith('encoder/') and 'position_embedding' in k]
  assert len(keys) == 1, keys
  return keys[0]


def _assert_copied(new_table, old_table, tokens):
  """allenai's recipe, row by row: raises AssertionError naming the row."""
  assert new_table.shape == (tokens + _OFFSET, old_table.shape[1])
  for row in range(new_table.shape[0]):
    source = row if row < _OFFSET else (
        _OFFSET + (row - _OFFSET) % _OLD_TOKENS)
    np.testing.assert_array_equal(new_table[row], old_table[source],
                                  err_msg=f'row {row}')


def _written_config(output_path):
  with open(os.path.join(os.path.dirname(output_path),
                         'encoder_config.yaml')) as f:
    return config_lib.LongformerEncoderConfig(
        **yaml.safe_load(f)['task']['model']['encoder']['any'])


def _restored_encoder(prefix, config):
  encoder = config_lib.build_longformer_encoder(config)
  encoder(_batch(16))
  tf.train.Checkpoint(encoder=encoder).read(prefix).expect_partial(
  ).assert_existing_objects_matched()
  return encoder


def test_cli_reports_and_writes_the_longer_config(extended):
  source, output_path, result = extended
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'position table 34 -> 98 rows' in result.stdout, result.stdout
  assert '3 copies' in result.stdout, result.stdout
  assert sorted(os.listdir(os.path.dirname(output_path))) == [
      'ckpt.data-00000-of-00001', 'ckpt.index', 'encoder_config.yaml']
  written, old = _written_config(output_path), _config()
  assert written.max_position_embeddings == _NEW_TOKENS + _OFFSET
  written.max_position_embeddings = old.max_position_embeddings
  assert written.as_dict() == old.as_dict()
  with open(os.path.join(os.path.dirname(output_path),
                         'encoder_config.yaml')) as f:
    assert f.readline().startswith('# Positions extended by utils/'
                                   'extend_positions.py from ' + source)
  del source


def test_every_row_is_its_old_row_and_everything_else_identical(extended):
  source, output_path, _ = extended
  old, new = _values(source), _values(output_path)
  assert sorted(old) == sorted(new)
  key = _table_key(old)
  _assert_copied(new[key], old[key], _NEW_TOKENS)
  for name in old:
    if name != key:
      assert new[name].dtype == old[name].dtype, name
      assert new[name].tobytes() == old[name].tobytes(), name
  assert any(k.startswith('masked_lm/') for k in old)  # the head is carried


@pytest.mark.parametrize('row', [0, _OFFSET + _OLD_TOKENS + 5, 97])
def test_row_check_catches_a_wrong_row(extended, row):
  """Negative control: the row-by-row check of the test above can fail."""
  source, output_path, _ = extended
  old, new = _values(source), _values(output_path)
  key = _table_key(old)
  table = new[key].copy()
  table[row] += 1e-3
  with pytest.raises(AssertionError, match=f'row {row}'):
    _assert_copied(table, old[key], _NEW_TOKENS)


def test_outputs_within_the_old_length_are_unchanged(extended):
  source, output_path, _ = extended
  old = _restored_encoder(source, _config())
  new = _restored_encoder(output_path, _written_config(output_path))
  batch = _batch(_OLD_TOKENS - 5)
  ours, theirs = new(batch), old(batch)
  for name in ('sequence_output', 'pooled_output'):
    np.testing.assert_allclose(ours[name], theirs[name], atol=_OUTPUT_ATOL,
                               rtol=0, err_msg=name)
  for i, (a, b) in enumerate(zip(ours['encoder_outputs'],
                                 theirs['encoder_outputs'])):
    np.testing.assert_allclose(a, b, atol=_OUTPUT_ATOL, rtol=0,
                               err_msg=f'encoder_outputs[{i}]')


def _reference(old, config, table):
  """A fresh longer encoder: `old`'s weights, the position table `table`."""
  encoder = config_lib.build_longformer_encoder(config)
  encoder(_batch(16))
  positions = old.position_embedding_layer.embeddings
  encoder.set_weights([table if v is positions else v.numpy()
                       for v in old.weights])
  return encoder


def test_longer_inputs_use_the_copied_positions(extended):
  source, output_path, _ = extended
  old = _restored_encoder(source, _config())
  new_config = _written_config(output_path)
  new = _restored_encoder(output_path, new_config)
  batch = _batch(_NEW_TOKENS - 4)  # 92 tokens, row 1 padded after 61.
  with pytest.raises(ValueError, match='exceeds the position table'):
    old(batch)
  # The rows the long tokens look up are old row 2 + (p - 2) % 32.
  positions = encoder_lib.roberta_position_ids(
      tf.constant(batch['input_word_ids']), 1).numpy()
  assert positions.max() > _OLD_TOKENS + _OFFSET
  used = new.position_embedding_layer(positions).numpy()
  old_table = old.position_embedding_layer.embeddings.numpy()
  real = batch['input_mask'] > 0
  expected = old_table[np.where(
      real, _OFFSET + (positions - _OFFSET) % _OLD_TOKENS, positions)]
  np.testing.assert_array_equal(used, expected)
  # And the whole model equals one built here with allenai's table.
  learned = old_table[_OFFSET:]
  table = np.concatenate(
      [old_table[:_OFFSET]] + [learned] * 3)[:_NEW_TOKENS + _OFFSET]
  ours = new(batch)['sequence_output'].numpy()
  reference = _reference(old, new_config, table)(batch)['sequence_output']
  np.testing.assert_allclose(ours, reference, atol=_OUTPUT_ATOL, rtol=0)
  # Negative control: the offset dropped (old rows 0.. copied) is caught.
  no_offset = np.concatenate([old_table] * 3)[:_NEW_TOKENS + _OFFSET]
  wrong = _reference(old, new_config, no_offset)(batch)['sequence_output']
  assert np.abs(ours - wrong.numpy()).max() > 100 * _OUTPUT_ATOL


def test_result_loads_in_the_pretraining_task(extended):
  """train.py's path: the written YAML as --config_file, the checkpoint as
  task.init_checkpoint (Model Garden's `initialize` restores encoder and
  masked_lm, every variable of the model matched)."""
  _, output_path, _ = extended
  params = exp_factory.get_exp_config('longformer/pretraining')
  yaml_path = os.path.join(os.path.dirname(output_path),
                           'encoder_config.yaml')
  params = hyperparams.override_params_dict(params, yaml_path,
                                            is_strict=False)
  params.override({'task': {'init_checkpoint': output_path}})
  task = task_factory.get_task(params.task)
  model = task.build_model()
  batch = _batch(_NEW_TOKENS)
  model(dict(batch, masked_lm_positions=np.zeros((2, 3), np.int32)))
  task.initialize(model)
  np.testing.assert_array_equal(
      model.encoder_network.position_embedding_layer.embeddings.numpy(),
      _values(output_path)[_table_key(_values(output_path))])


def test_pretraining_model_dir_leaves_the_optimizer_behind(tmp_path):
  """A train.py model_dir as Model Garden's trainer writes it (step, model,
  optimizer with slots, the model's checkpoint items): the encoder and head
  are carried, the optimizer state and step counted and left behind."""
  config = _config()
  params = exp_factory.get_exp_config('longformer/pretraining')
  params.override({'task': {'model': {'encoder': {
      'type': 'any', 'any': config.as_dict()}}}}, is_strict=False)
  model = task_factory.get_task(params.task).build_model()
  inputs = dict(_batch(16), masked_lm_positions=np.zeros((2, 3), np.int32))
  model(inputs)
  optimizer = tf_keras.optimizers.Adam()
  optimizer.apply_gradients(
      (tf.ones_like(v), v) for v in model.trainable_variables)
  step = tf.Variable(7, dtype=tf.int64)
  checkpoint = tf.train.Checkpoint(global_step=step, model=model,
                                   optimizer=optimizer,
                                   **model.checkpoint_items)
  model_dir = str(tmp_path / 'model_dir')
  tf.train.CheckpointManager(checkpoint, model_dir, 1).save()
  with open(os.path.join(model_dir, 'params.yaml'), 'w') as f:
    yaml.safe_dump(params.as_dict(), f)
  output_path = str(tmp_path / 'out' / 'ckpt')
  result = _extend(model_dir, output_path, _NEW_TOKENS)
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'optimizer-state and step values' in result.stdout, result.stdout
  table = model.encoder_network.position_embedding_layer.embeddings.numpy()
  new = _values(output_path)
  _assert_copied(new[_table_key(new)], table, _NEW_TOKENS)
  assert not any(k.startswith(('optimizer/', 'global_step')) for k in new)
  head = new['masked_lm/dense/kernel' + _VALUE]
  np.testing.assert_array_equal(head, model.masked_lm.dense.kernel.numpy())


def test_partial_last_copy_through_the_command_line(extended, tmp_path):
  """The entry-point test (a real subprocess): 90 tokens are 2 copies of
  the 32 learned rows and the first 26 rows of a third."""
  source, _, _ = extended
  output_path = str(tmp_path / 'out' / 'ckpt')
  result = subprocess.run(
      [sys.executable, _CLI, f'--input_checkpoint={source}',
       f'--output_path={output_path}', f'--max_seq_length={_PARTIAL_TOKENS}'],
      capture_output=True, text=True, cwd=cli_in_process.REPO_DIR,
      timeout=300, check=False)
  assert result.returncode == 0, result.stderr[-3000:]
  assert '2 copies + the first 26 rows' in result.stdout, result.stdout
  old, new = _values(source), _values(output_path)
  key = _table_key(old)
  _assert_copied(new[key], old[key], _PARTIAL_TOKENS)


@pytest.mark.parametrize('tokens', [_OLD_TOKENS, 20])
def test_refuses_a_table_that_is_not_longer(extended, tmp_path, tokens):
  source, _, _ = extended
  result = _extend(source, str(tmp_path / 'out' / 'ckpt'), tokens)
  assert result.returncode == 1
  assert (f'--max_seq_length={tokens} must be an integer above the '
          'checkpoint\'s 32 tokens') in result.stderr, result.stderr[-2000:]
  assert not os.path.exists(tmp_path / 'out')


def test_refuses_a_missing_checkpoint(tmp_path):
  result = _extend(str(tmp_path / 'nothing' / 'ckpt'),
                   str(tmp_path / 'out' / 'ckpt'), _NEW_TOKENS)
  assert result.returncode == 1
  assert 'No checkpoint at' in result.stderr, result.stderr[-2000:]
  assert not os.path.exists(tmp_path / 'out')


def test_refuses_a_checkpoint_without_its_yaml(extended, tmp_path):
  source, _, _ = extended
  copy = tmp_path / 'bare'
  copy.mkdir()
  for name in os.listdir(os.path.dirname(source)):
    if name.startswith('ckpt.'):
      (copy / name).write_bytes(
          open(os.path.join(os.path.dirname(source), name), 'rb').read())
  result = _extend(str(copy / 'ckpt'), str(tmp_path / 'out' / 'ckpt'),
                   _NEW_TOKENS)
  assert result.returncode == 1
  assert 'No encoder_config.yaml beside' in result.stderr
  assert not os.path.exists(tmp_path / 'out')


def test_refuses_values_it_would_drop(tmp_path):
  """A classifier's head (here: one extra variable) is named, not dropped."""
  source = _write_source(str(tmp_path / 'source'), extra={
      'classifier': tf.Variable(np.ones((32, 3), np.float32))})
  result = _extend(source, str(tmp_path / 'out' / 'ckpt'), _NEW_TOKENS)
  assert result.returncode == 1
  assert 'does not carry: classifier' in result.stderr, result.stderr[-2000:]
  assert not os.path.exists(tmp_path / 'out')


def test_refuses_a_yaml_with_fewer_layers_than_the_checkpoint(tmp_path):
  """Layer 1 of the checkpoint would be dropped: refused, counted."""
  source = _write_source(str(tmp_path / 'source'))
  yaml_path = os.path.join(os.path.dirname(source), 'encoder_config.yaml')
  with open(yaml_path, 'w') as f:
    yaml.safe_dump(hf_config_lib.encoder_yaml_dict(
        _config().replace(num_layers=1, attention_window=[8])), f)
  result = _extend(source, str(tmp_path / 'out' / 'ckpt'), _NEW_TOKENS)
  assert result.returncode == 1
  assert 'pass the YAML written with this checkpoint' in result.stderr, (
      result.stderr[-2000:])
  assert not os.path.exists(tmp_path / 'out')


def test_existing_output_needs_overwrite(extended, tmp_path):
  source, _, _ = extended
  out = tmp_path / 'out'
  out.mkdir()
  (out / 'encoder_config.yaml').write_text('old')
  (out / 'notes.txt').write_text('kept')
  result = _extend(source, str(out / 'ckpt'), _NEW_TOKENS)
  assert result.returncode == 1
  assert 'Output already exists' in result.stderr, result.stderr[-2000:]
  assert 'Pass --overwrite' in result.stderr
  assert (out / 'encoder_config.yaml').read_text() == 'old'
  assert sorted(os.listdir(out)) == ['encoder_config.yaml', 'notes.txt']
  result = _extend(source, str(out / 'ckpt'), _NEW_TOKENS, '--overwrite')
  assert result.returncode == 0, result.stderr[-2000:]
  assert sorted(os.listdir(out)) == [
      'ckpt.data-00000-of-00001', 'ckpt.index', 'encoder_config.yaml',
      'notes.txt']
  assert _written_config(str(out / 'ckpt')).max_position_embeddings == 98
