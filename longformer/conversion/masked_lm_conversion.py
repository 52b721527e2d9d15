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

"""HF `lm_head` (RoBERTa / Longformer masked LM) -> `RobertaMaskedLM` weights.

Works on NumPy arrays keyed by HF parameter names (no torch import), like
`checkpoint_conversion`, which maps the encoder. `RobertaForMaskedLM` and
`LongformerForMaskedLM` keep the head under `lm_head.`:

  lm_head.dense.{weight,bias}       -> dense (transform)   [D, D], [D]
  lm_head.layer_norm.{weight,bias}  -> layer_norm          [D], [D]
  lm_head.bias                      -> output bias         [V]
  lm_head.decoder.weight            -> none: tied to the word embeddings
                                       [V, D]; checked equal to them
  lm_head.decoder.bias              -> the same tensor as lm_head.bias;
                                       checked equal when both are saved

The converted head and the encoder go into one checkpoint,
`tf.train.Checkpoint(encoder=..., masked_lm=...)`: the two names Model
Garden's `MaskedLMTask.initialize` restores (`BertPretrainerV2`'s
`checkpoint_items`), so `task.init_checkpoint` of `longformer/pretraining`
continues from it. Shapes: D hidden size, V vocabulary.
"""
import logging
from typing import List, Mapping, Tuple

import numpy as np
import tensorflow as tf
import tf_keras

from longformer.conversion import checkpoint_conversion
from longformer.modeling import masked_lm_head

LM_HEAD_PREFIX = 'lm_head.'
_TIED_DECODER = LM_HEAD_PREFIX + 'decoder.weight'
_BIAS_NAMES = (LM_HEAD_PREFIX + 'bias', LM_HEAD_PREFIX + 'decoder.bias')
# Tied copies are the same tensor in HF; any difference means untied weights.
_TIED_ATOL = 0.0


def has_lm_head(state: Mapping[str, np.ndarray]) -> bool:
  """Whether an HF state dict holds a masked-LM head (`lm_head.*`)."""
  return any(k.startswith(LM_HEAD_PREFIX) for k in state)


def build_masked_lm(encoder, hf_config: Mapping[str, object]
                    ) -> masked_lm_head.RobertaMaskedLM:
  """A built `RobertaMaskedLM` on `encoder`'s word embeddings.

  Args:
    encoder: a built `LongformerEncoder`.
    hf_config: the HF config dict; `layer_norm_eps` sets the head's
      epsilon. HF's head applies the exact GELU whatever `hidden_act` is,
      and so does this one (`mlm_activation: gelu`, the task's default).

  Returns:
    The head, called once so its variables exist.
  """
  head = masked_lm_head.RobertaMaskedLM(
      embedding_table=encoder.get_embedding_table(),
      norm_epsilon=float(hf_config.get('layer_norm_eps',
                                       masked_lm_head.HF_NORM_EPSILON)),
      activation=tf_keras.activations.get('gelu'),
      name='cls/predictions')
  width = encoder.get_embedding_table().shape[1]
  head(tf.zeros((1, 1, width)), masked_positions=tf.zeros((1, 1), tf.int32))
  return head


def _head_table(head) -> List[Tuple[str, tf.Variable, bool]]:
  """(HF name, our variable, transpose) for every head variable."""
  return [
      (LM_HEAD_PREFIX + 'dense.weight', head.dense.kernel, True),
      (LM_HEAD_PREFIX + 'dense.bias', head.dense.bias, False),
      (LM_HEAD_PREFIX + 'layer_norm.weight', head.layer_norm.gamma, False),
      (LM_HEAD_PREFIX + 'layer_norm.bias', head.layer_norm.beta, False),
  ]


def _output_bias(state, problems):
  """`lm_head.bias` (or its tied twin `lm_head.decoder.bias`): [V]."""
  present = [state[name] for name in _BIAS_NAMES if name in state]
  if not present:
    problems.append(f'missing in checkpoint: {_BIAS_NAMES[0]}')
    return None
  if len(present) == 2 and not np.allclose(present[0], present[1],
                                           atol=_TIED_ATOL, rtol=0):
    problems.append(f'{_BIAS_NAMES[0]} and {_BIAS_NAMES[1]} differ; HF ties '
                    'them, so the checkpoint is inconsistent')
  return np.asarray(present[0], np.float32)


def _check_tied_decoder(state, word_embeddings, problems):
  """The decoder must be the word embeddings: MG's head has no own one."""
  if _TIED_DECODER not in state:
    return
  decoder = np.asarray(state[_TIED_DECODER], np.float32)
  if decoder.shape != word_embeddings.shape or not np.allclose(
      decoder, word_embeddings, atol=_TIED_ATOL, rtol=0):
    problems.append(
        f'{_TIED_DECODER} is not tied to the word embeddings (untied '
        'output embeddings, e.g. tie_word_embeddings=False): Model '
        'Garden\'s masked-LM head decodes with the embedding table and '
        'cannot hold a separate decoder')


def load_lm_head_weights(head: masked_lm_head.RobertaMaskedLM,
                         state: Mapping[str, np.ndarray]) -> List[str]:
  """Assigns the HF `lm_head.*` weights to `head`, all of them or none.

  Args:
    head: a built `RobertaMaskedLM` on the converted encoder's embeddings.
    state: HF parameter name -> array of a `...ForMaskedLM` model.

  Returns:
    The HF keys used (every `lm_head.*` key).

  Raises:
    CheckpointMismatchError: naming every missing, mis-shaped, unknown or
      untied weight; nothing is assigned then.
  """
  problems, assignments = [], []
  for hf_name, variable, transpose in _head_table(head):
    if hf_name not in state:
      problems.append(f'missing in checkpoint: {hf_name}')
      continue
    value = np.asarray(state[hf_name], np.float32)
    value = value.T if transpose else value
    if value.shape != tuple(variable.shape):
      problems.append(f'shape mismatch: {hf_name} {value.shape} (after '
                      f'transpose={transpose}) but {variable.name} is '
                      f'{tuple(variable.shape)}')
      continue
    assignments.append((variable, value))
  bias = _output_bias(state, problems)
  if bias is not None and bias.shape != tuple(head.bias.shape):
    problems.append(f'shape mismatch: {_BIAS_NAMES[0]} {bias.shape} but '
                    f'{head.bias.name} is {tuple(head.bias.shape)}')
  elif bias is not None:
    assignments.append((head.bias, bias))
  _check_tied_decoder(state, head.embedding_table.numpy(), problems)
  known = {name for name, _, _ in _head_table(head)}
  known.update(_BIAS_NAMES + (_TIED_DECODER,))
  used = sorted(k for k in state if k.startswith(LM_HEAD_PREFIX))
  problems += [f'unmapped head weight in checkpoint: {k}' for k in used
               if k not in known]
  if problems:
    raise checkpoint_conversion.CheckpointMismatchError(
        'The lm_head does not match the masked-LM head:\n  ' +
        '\n  '.join(problems))
  for variable, value in assignments:
    variable.assign(value)
  logging.info('Assigned %d masked-LM head weights.', len(assignments))
  return used


def head_weight_table(head) -> checkpoint_conversion.WeightTable:
  """(HF name, our variable, transform) of the head, for export.

  `checkpoint_conversion.hf_weights_from_model(encoder, table)` runs it in
  reverse; the tied decoder is added by `add_tied_weights`.
  """
  linear = checkpoint_conversion.LINEAR_KERNEL
  same = checkpoint_conversion.IDENTITY
  table = [(name, variable, linear if transpose else same)
           for name, variable, transpose in _head_table(head)]
  return table + [(_BIAS_NAMES[0], head.bias, same)]


def add_tied_weights(weights: dict, hf_names) -> dict:
  """Adds HF's tied `lm_head.decoder.*` copies that `hf_names` expects.

  Args:
    weights: HF name -> array from `hf_weights_from_model` with
      `head_weight_table` (encoder names prefixed `longformer.`).
    hf_names: the HF model's state-dict keys.
  """
  tied = {_TIED_DECODER: checkpoint_conversion.TASK_MODEL_PREFIX +
          'embeddings.word_embeddings.weight',
          _BIAS_NAMES[1]: _BIAS_NAMES[0]}
  return dict(weights, **{name: weights[source]
                          for name, source in tied.items()
                          if name in hf_names})


def checkpoint_items(encoder, head=None) -> dict:
  """The objects to write with `tf.train.Checkpoint(**items)`.

  `encoder` alone is what `longformer/glue` restores; with a head, the
  names are the ones `MaskedLMTask.initialize` restores.
  """
  items = dict(encoder=encoder)
  if head is not None:
    items['masked_lm'] = head
  return items


def mlm_logits(encoder, head, batch) -> np.ndarray:
  """Logits at every position: float32 [B, T, V] (HF's `logits`).

  Args:
    batch: the encoder's inputs, int32 [B, T] each.
  """
  sequence = encoder(batch, training=False)['sequence_output']
  shape = tf.shape(batch['input_word_ids'])
  positions = tf.broadcast_to(tf.range(shape[1])[None], shape)
  return head(sequence, masked_positions=positions).numpy()
