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

"""HF `LongformerForMaskedLM`'s lm_head -> the `longformer/pretraining` head.

The reference is HF's own `LongformerForMaskedLM`; the converted encoder and
head are restored by the pretraining task's `initialize`, the path
`task.init_checkpoint` takes.
"""
import re

import numpy as np
import pytest
import tensorflow as tf
import torch
import transformers

import cli_in_process
import hf_reference
from longformer.conversion import checkpoint_conversion
from longformer.conversion import masked_lm_conversion
from official.core import exp_factory
from official.core import task_factory
from official.nlp.modeling import layers

_GLOBAL = 2


def hf_masked_lm(seed=0, **overrides) -> transformers.LongformerForMaskedLM:
  """A random `LongformerForMaskedLM` in eval mode, weights scaled up as in
  `hf_reference.hf_model` so head mistakes show in the logits."""
  torch.manual_seed(seed)
  model = transformers.LongformerForMaskedLM(
      hf_reference.tiny_hf_config(**overrides))
  with torch.no_grad():
    for name, param in model.named_parameters():
      if 'LayerNorm' in name or 'layer_norm' in name:
        param.add_(0.1 * torch.randn_like(param))
      elif name == 'lm_head.bias':
        param.add_(torch.randn_like(param))
      else:
        param.mul_(4.0)
  return model.eval()


def hf_logits(model, batch, global_attention_size):
  """HF MLM logits at every position: float32 [B, T, V]."""
  global_mask = np.zeros_like(batch['input_mask'])
  global_mask[:, :global_attention_size] = 1
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  with torch.no_grad():
    return model(input_ids=as_long(batch['input_word_ids']),
                 attention_mask=as_long(batch['input_mask']),
                 global_attention_mask=as_long(global_mask),
                 token_type_ids=as_long(batch['input_type_ids'])
                 ).logits.numpy()


def _converted(model, state=None):
  """Our encoder and head holding the HF model's weights."""
  state = state or hf_reference.state_of(model)
  encoder = hf_reference.converted_encoder(model, _GLOBAL, state=state)
  head = masked_lm_conversion.build_masked_lm(encoder,
                                              model.config.to_dict())
  masked_lm_conversion.load_lm_head_weights(head, state)
  return encoder, head


def _pretraining_model(model, checkpoint_path):
  """`longformer/pretraining`'s model for the HF config, initialized from
  `checkpoint_path` by the task."""
  params = exp_factory.get_exp_config('longformer/pretraining')
  encoder_config = checkpoint_conversion.encoder_config_from_hf(
      model.config.to_dict(), global_attention_size=_GLOBAL)
  params.override({'task': {
      'init_checkpoint': checkpoint_path,
      'model': {'encoder': {'type': 'any',
                            'any': encoder_config.as_dict()}}}},
                  is_strict=False)
  task = task_factory.get_task(params.task)
  pretrainer = task.build_model()
  task.initialize(pretrainer)
  return pretrainer


def test_pretraining_task_restores_hf_logits(tmp_path):
  model = hf_masked_lm()
  encoder, head = _converted(model)
  path = tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
      encoder, head)).write(str(tmp_path / 'ckpt'))
  pretrainer = _pretraining_model(model, path)

  batch = hf_reference.random_batch(model.config, 3, 21, _GLOBAL)
  positions = np.tile(np.arange(21, dtype=np.int32), (3, 1))
  ours = pretrainer(dict(batch, masked_lm_positions=positions),
                    training=False)['mlm_logits'].numpy()
  diff, where = hf_reference.max_diff(ours, hf_logits(model, batch, _GLOBAL))
  assert diff <= hf_reference.PARITY_ATOL, f'max abs diff {diff} at {where}'


def test_masked_positions_select_hf_logits():
  model = hf_masked_lm(layer_norm_eps=1e-6)
  encoder, head = _converted(model)
  batch = hf_reference.random_batch(model.config, 2, 17, _GLOBAL)
  positions = np.array([[0, 5, 16], [3, 3, 1]], np.int32)
  sequence = encoder(batch, training=False)['sequence_output']
  ours = head(sequence, masked_positions=tf.constant(positions)).numpy()
  expected = np.take_along_axis(hf_logits(model, batch, _GLOBAL),
                                positions[..., None], axis=1)
  diff, where = hf_reference.max_diff(ours, expected)
  assert diff <= hf_reference.PARITY_ATOL, f'max abs diff {diff} at {where}'


def test_model_garden_stock_head_misses_hf():
  """Negative control: MG's own `MaskedLM` (tanh GELU, epsilon 1e-12) with
  the same weights is off by far more than the bar."""
  model = hf_masked_lm()
  encoder, head = _converted(model)
  stock = layers.MaskedLM(embedding_table=encoder.get_embedding_table(),
                          activation=tf.nn.gelu)
  batch = hf_reference.random_batch(model.config, 2, 17, _GLOBAL)
  positions = tf.tile(tf.range(17)[None], [2, 1])
  sequence = encoder(batch, training=False)['sequence_output']
  stock(sequence, masked_positions=positions)
  for ours, theirs in zip(head.weights, stock.weights):
    theirs.assign(ours)
  logits = stock(sequence, masked_positions=positions).numpy()
  diff, _ = hf_reference.max_diff(logits, hf_logits(model, batch, _GLOBAL))
  assert diff > 10 * hf_reference.PARITY_ATOL, diff


def test_untransposed_dense_misses_hf():
  """Negative control: the dense weight without its transpose."""
  model = hf_masked_lm()
  state = hf_reference.state_of(model)
  state['lm_head.dense.weight'] = state['lm_head.dense.weight'].T.copy()
  encoder, head = _converted(model, state)
  batch = hf_reference.random_batch(model.config, 2, 17, _GLOBAL)
  diff, _ = hf_reference.max_diff(
      masked_lm_conversion.mlm_logits(encoder, head, batch),
      hf_logits(model, batch, _GLOBAL))
  assert diff > 100 * hf_reference.PARITY_ATOL, diff


@pytest.mark.parametrize('change, message', [
    (lambda s: s.pop('lm_head.dense.bias'), 'missing in checkpoint: '
     'lm_head.dense.bias'),
    (lambda s: s.update({'lm_head.decoder.weight': s[
        'lm_head.decoder.weight'] + 1}), 'not tied to the word embeddings'),
    (lambda s: s.update({'lm_head.layer_norm.weight': np.ones(5)}),
     'shape mismatch: lm_head.layer_norm.weight'),
    (lambda s: s.update({'lm_head.extra.weight': np.ones(5)}),
     'unmapped head weight in checkpoint: lm_head.extra.weight'),
])
def test_bad_head_is_refused_and_nothing_assigned(change, message):
  model = hf_masked_lm()
  state = hf_reference.state_of(model)
  state.setdefault('lm_head.decoder.weight',
                   state['longformer.embeddings.word_embeddings.weight'])
  change(state)
  encoder = hf_reference.converted_encoder(model, _GLOBAL, state=state)
  head = masked_lm_conversion.build_masked_lm(encoder,
                                              model.config.to_dict())
  before = [w.numpy() for w in head.weights]
  with pytest.raises(checkpoint_conversion.CheckpointMismatchError,
                     match=message):
    masked_lm_conversion.load_lm_head_weights(head, state)
  for old, new in zip(before, head.weights):
    np.testing.assert_array_equal(old, new.numpy())


def test_converter_cli_writes_head_the_task_restores(tmp_path):
  """The Longformer converter keeps `lm_head` and checks its logits."""
  model = hf_masked_lm(seed=3)
  model.save_pretrained(tmp_path / 'hf')
  output_path = str(tmp_path / 'tf' / 'longformer')
  result = cli_in_process.run(  # Its subprocess test: converter_test.
      'utils/convert_pretrained_pytorch_checkpoint_to_tf.py',
      [f'--pytorch_model={tmp_path / "hf"}', f'--output_path={output_path}',
       f'--global_attention_size={_GLOBAL}', '--check_batch_size=3'])
  assert result.returncode == 0, result.stderr[-3000:]
  diff = re.search(r'max abs diff mlm_logits = (\S+)', result.stdout)
  assert diff and float(diff.group(1)) <= hf_reference.PARITY_ATOL, (
      result.stdout)

  pretrainer = _pretraining_model(model, output_path)
  batch = hf_reference.random_batch(model.config, 2, 30, _GLOBAL, seed=4)
  positions = np.tile(np.arange(30, dtype=np.int32), (2, 1))
  ours = pretrainer(dict(batch, masked_lm_positions=positions),
                    training=False)['mlm_logits'].numpy()
  diff, where = hf_reference.max_diff(ours, hf_logits(model, batch, _GLOBAL))
  assert diff <= hf_reference.PARITY_ATOL, f'max abs diff {diff} at {where}'
