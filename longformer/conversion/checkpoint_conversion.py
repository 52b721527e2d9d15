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

"""HF PyTorch Longformer weights <-> `LongformerEncoder` variables.

Works on NumPy arrays keyed by HF parameter names (no torch import). One
table maps each HF name to our variable with a named `Transform` that goes
both ways: `load_hf_weights` (HF -> ours, used by
`utils/convert_pretrained_pytorch_checkpoint_to_tf.py`) and
`hf_weights_from_model` (ours -> HF, used by `utils/export_to_hf.py`).

Every HF key under the encoder (`embeddings.`, `encoder.`, `pooler.`), and
under a task head whose table is passed in, must map to a variable, and
every variable must receive a weight of the right shape; anything else
(e.g. an `lm_head`) is reported as ignored. Shapes: D hidden, N heads,
H head size, I feed-forward width.
"""
import dataclasses
import logging
from typing import Callable, Dict, List, Mapping, Tuple

import numpy as np

from longformer.conversion import hf_config

# The config translation lives in hf_config; this name keeps working for
# callers that import it from here.
encoder_config_from_hf = hf_config.encoder_config_from_hf

# HF task models (LongformerForMaskedLM, ...ForSequenceClassification) keep
# the encoder under this prefix.
TASK_MODEL_PREFIX = 'longformer.'
_ENCODER_PREFIXES = ('embeddings.', 'encoder.', 'pooler.')
# Buffers, not weights: recomputed by the encoder.
BUFFERS_NOT_WEIGHTS = ('embeddings.position_ids',
                        'embeddings.token_type_ids')
# Task checkpoints without a pooler (e.g. LongformerForMaskedLM, as HF builds
# it with add_pooling_layer=False) leave it at its initialization, as HF does.
_OPTIONAL_PREFIX = 'pooler.'


class CheckpointMismatchError(ValueError):
  """The checkpoint's weights do not fit the encoder; names the weights."""


@dataclasses.dataclass
class LoadReport:
  """What `load_hf_weights` did besides assigning weights.

  Attributes:
    ignored: HF keys outside the encoder (task heads) or buffers.
    left_at_init: HF names of optional weights (the pooler) that the
      checkpoint lacks; their variables keep their initialization.
  """
  ignored: List[str]
  left_at_init: List[str]


def _identity(x, _):
  return x


def _transpose(x, _):
  """HF Linear weight [out, in] <-> Keras kernel [in, out]."""
  return x.T


def _split_heads_kernel(x, heads):
  """HF Linear weight [N*H, D] -> EinsumDense kernel [D, N, H]."""
  return x.T.reshape(x.shape[1], heads, -1)


def _join_heads_kernel(x, _):
  """EinsumDense kernel [D, N, H] -> HF Linear weight [N*H, D]."""
  return x.reshape(x.shape[0], -1).T


def _split_heads_bias(x, heads):
  """HF Linear bias [N*H] -> EinsumDense bias [N, H]."""
  return x.reshape(heads, -1)


def _join_heads_bias(x, _):
  """EinsumDense bias [N, H] -> HF Linear bias [N*H]."""
  return x.reshape(-1)


def _split_merge_kernel(x, heads):
  """HF Linear weight [D, N*H] -> EinsumDense kernel [N, H, D]."""
  return x.T.reshape(heads, -1, x.shape[0])


def _join_merge_kernel(x, _):
  """EinsumDense kernel [N, H, D] -> HF Linear weight [D, N*H]."""
  return x.reshape(-1, x.shape[-1]).T


@dataclasses.dataclass(frozen=True)
class Transform:
  """A named layout change and its inverse; both take (array, heads N)."""
  name: str
  to_ours: Callable[[np.ndarray, int], np.ndarray]
  to_hf: Callable[[np.ndarray, int], np.ndarray]


IDENTITY = Transform('identity', _identity, _identity)
LINEAR_KERNEL = Transform('transpose', _transpose, _transpose)
HEADS_KERNEL = Transform('split heads', _split_heads_kernel,
                         _join_heads_kernel)
HEADS_BIAS = Transform('split heads', _split_heads_bias, _join_heads_bias)
MERGE_HEADS_KERNEL = Transform('merge heads', _split_merge_kernel,
                               _join_merge_kernel)

# (HF name, our variable, transform).
WeightTable = List[Tuple[str, object, Transform]]


def _block_table(hf: str, block) -> WeightTable:
  """The table of one encoder block, HF names under prefix `hf`."""
  attn = block.attention_layer
  table = []
  for name, dense in attn.projections.items():
    table.append((f'{hf}attention.self.{name}.weight', dense.kernel,
                  HEADS_KERNEL))
    table.append((f'{hf}attention.self.{name}.bias', dense.bias, HEADS_BIAS))
  return table + [
      (f'{hf}attention.output.dense.weight', attn.output_dense.kernel,
       MERGE_HEADS_KERNEL),
      (f'{hf}attention.output.dense.bias', attn.output_dense.bias, IDENTITY),
      (f'{hf}attention.output.LayerNorm.weight',
       block.attention_layer_norm.gamma, IDENTITY),
      (f'{hf}attention.output.LayerNorm.bias',
       block.attention_layer_norm.beta, IDENTITY),
      (f'{hf}intermediate.dense.weight', block.intermediate_dense.kernel,
       LINEAR_KERNEL),
      (f'{hf}intermediate.dense.bias', block.intermediate_dense.bias,
       IDENTITY),
      (f'{hf}output.dense.weight', block.output_dense.kernel, LINEAR_KERNEL),
      (f'{hf}output.dense.bias', block.output_dense.bias, IDENTITY),
      (f'{hf}output.LayerNorm.weight', block.output_layer_norm.gamma,
       IDENTITY),
      (f'{hf}output.LayerNorm.bias', block.output_layer_norm.beta, IDENTITY),
  ]


def encoder_weight_table(encoder) -> WeightTable:
  """(HF name, our variable, transform) for every encoder variable."""
  table = [
      ('embeddings.word_embeddings.weight',
       encoder.get_embedding_layer().embeddings, IDENTITY),
      ('embeddings.position_embeddings.weight',
       encoder.position_embedding_layer.embeddings, IDENTITY),
      ('embeddings.token_type_embeddings.weight',
       encoder.type_embedding_layer.embeddings, IDENTITY),
      ('embeddings.LayerNorm.weight',
       encoder.embedding_norm_layer.gamma, IDENTITY),
      ('embeddings.LayerNorm.bias',
       encoder.embedding_norm_layer.beta, IDENTITY),
      ('pooler.dense.weight', encoder.pooler_layer.kernel, LINEAR_KERNEL),
      ('pooler.dense.bias', encoder.pooler_layer.bias, IDENTITY),
  ]
  for i, block in enumerate(encoder.transformer_layers):
    table += _block_table(f'encoder.layer.{i}.', block)
  return table

def strip_task_prefix(
    state: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
  """Removes the `longformer.` prefix of task-head checkpoints."""
  if any(k.startswith(TASK_MODEL_PREFIX) for k in state):
    return {(k[len(TASK_MODEL_PREFIX):] if k.startswith(TASK_MODEL_PREFIX)
             else k): v for k, v in state.items()}
  return dict(state)


def _plan_assignments(table: WeightTable, state, heads: int):
  """(assignments, left_at_init, problems) for `load_hf_weights`."""
  has_pooler = any(k.startswith(_OPTIONAL_PREFIX) for k in state)
  problems, assignments, left_at_init = [], [], []
  for hf_name, variable, transform in table:
    if hf_name not in state and not has_pooler and hf_name.startswith(
        _OPTIONAL_PREFIX):
      left_at_init.append(hf_name)
      continue
    if hf_name not in state:
      problems.append(f'missing in checkpoint: {hf_name} (for '
                      f'{variable.name})')
      continue
    value = transform.to_ours(np.asarray(state[hf_name], np.float32), heads)
    if tuple(value.shape) != tuple(variable.shape):
      problems.append(
          f'shape mismatch: {hf_name} {tuple(state[hf_name].shape)} -> '
          f'{tuple(value.shape)} after {transform.name}, but '
          f'{variable.name} is {tuple(variable.shape)}')
      continue
    assignments.append((variable, value))
  return assignments, left_at_init, problems


def load_hf_weights(encoder, state: Mapping[str, np.ndarray],
                    head_table: WeightTable = ()) -> LoadReport:
  """Assigns HF weights to a built encoder (and head), all of them or none.

  Args:
    encoder: a built `LongformerEncoder` (called once).
    state: HF parameter name -> array, from `LongformerModel` or a task
      model (the `longformer.` prefix is removed).
    head_table: the task head's table (`task_heads.head_weight_table`);
      its HF keys are then required instead of ignored.

  Returns:
    A `LoadReport`: ignored keys, and the pooler weights left at their
    initialization when a task checkpoint has no pooler (logged as a
    warning).

  Raises:
    CheckpointMismatchError: naming every missing, unmapped or mis-shaped
      weight. No variable is assigned in that case.
  """
  state = strip_task_prefix(state)
  heads = encoder.get_config()['num_attention_heads']
  table = encoder_weight_table(encoder) + list(head_table)
  assignments, left_at_init, problems = _plan_assignments(table, state, heads)
  mapped = {hf_name for hf_name, _, _ in table}
  ignored = []
  for key in sorted(state):
    if key in mapped:
      continue
    if key.startswith(_ENCODER_PREFIXES) and key not in BUFFERS_NOT_WEIGHTS:
      problems.append(f'unmapped encoder weight in checkpoint: {key}')
    else:
      ignored.append(key)
  if problems:
    raise CheckpointMismatchError(
        'The checkpoint does not match the encoder config:\n  ' +
        '\n  '.join(problems))
  for variable, value in assignments:
    variable.assign(value)
  logging.info('Assigned %d weights; ignored %d keys: %s', len(assignments),
               len(ignored), ', '.join(ignored[:20]))
  if left_at_init:
    logging.warning('The checkpoint has no pooler; %s keep their random '
                    'initialization (fine-tuning trains them).',
                    ', '.join(left_at_init))
  return LoadReport(ignored=ignored, left_at_init=left_at_init)


def hf_weights_from_model(encoder, head_table: WeightTable = ()
                          ) -> Dict[str, np.ndarray]:
  """Our variables -> HF parameter names and layouts (the table reversed).

  Args:
    encoder: a built `LongformerEncoder`.
    head_table: a task head's table; with one, the encoder's names get the
      `longformer.` prefix and the pooler is left out, as HF's task models
      (built with add_pooling_layer=False) name and hold them.

  Returns:
    HF name -> float32 array, as `LongformerModel.state_dict()` (or the
    task model's) holds it.
  """
  heads = encoder.get_config()['num_attention_heads']
  weights = {}
  for hf_name, variable, transform in encoder_weight_table(encoder):
    if head_table and hf_name.startswith(_OPTIONAL_PREFIX):
      continue
    name = TASK_MODEL_PREFIX + hf_name if head_table else hf_name
    weights[name] = transform.to_hf(variable.numpy(), heads)
  for hf_name, variable, transform in head_table:
    weights[hf_name] = transform.to_hf(variable.numpy(), heads)
  return {k: np.ascontiguousarray(v, np.float32) for k, v in weights.items()}
