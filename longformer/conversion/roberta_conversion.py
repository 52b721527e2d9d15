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

"""HF RoBERTa weights -> Longformer weights (the Longformer paper's init).

allenai's `convert_model_to_long` recipe, on NumPy arrays keyed by HF
parameter names (no torch import):
  - the learned position table (after RoBERTa's offset: the first
    pad_token_id + 1 = 2 rows are never used by a real token) is copied
    again and again until it covers `max_seq_length` positions
    (`position_table.extend_position_table`);
  - each layer's local query/key/value projections are copied into the
    global ones (`query_global`, `key_global`, `value_global`);
  - every layer gets `attention_window`.
The result is an HF `LongformerModel` state dict (plus `lm_head.*` when the
RoBERTa model has one), which `checkpoint_conversion.load_hf_weights` and
`masked_lm_conversion.load_lm_head_weights` map into our variables.

`copy_local_to_global` re-copies the local projections into the global ones
of a built encoder: masked-LM pretraining with no global tokens trains only
the local ones. Shapes: P positions, D hidden size, N heads, H head size.
"""
from typing import Dict, Mapping

import numpy as np

from longformer.conversion import position_table
from longformer.modeling import encoder as encoder_lib

ROBERTA_PREFIX = 'roberta.'
# RoBERTa-family model types: the same weight names and position offset.
ROBERTA_MODEL_TYPES = ('roberta', 'xlm-roberta', 'camembert')
_LOCAL_TO_GLOBAL = (('query', 'query_global'), ('key', 'key_global'),
                    ('value', 'value_global'))
_POSITIONS = 'embeddings.position_embeddings.weight'


def _check_roberta_config(config: Mapping[str, object]) -> None:
  """Refuses configs this recipe does not apply to, saying what to use."""
  model_type = config.get('model_type')
  if model_type == 'longformer':
    raise ValueError(
        'This is already a Longformer checkpoint; convert it with '
        'utils/convert_pretrained_pytorch_checkpoint_to_tf.py.')
  if model_type not in ROBERTA_MODEL_TYPES:
    raise ValueError(
        f'model_type={model_type!r} is not a RoBERTa-family model '
        f'({", ".join(ROBERTA_MODEL_TYPES)}): its positions do not start '
        'at pad_token_id + 1, so the Longformer encoder cannot hold it.')
  position_type = config.get('position_embedding_type', 'absolute')
  if position_type != 'absolute':
    raise ValueError(f'position_embedding_type={position_type!r}: only '
                     'learned absolute positions can be extended.')


def longformer_config_from_roberta(
    roberta_config: Mapping[str, object], max_seq_length: int,
    attention_window: int) -> Dict[str, object]:
  """The HF `LongformerConfig` dict of the converted model.

  Args:
    roberta_config: the RoBERTa `config.json` dict.
    max_seq_length: tokens the Longformer must take (4096 in the paper);
      the position table gets max_seq_length + pad_token_id + 1 rows.
    attention_window: the full, even window of every layer.

  Raises:
    ValueError: not a RoBERTa-family config, an odd or non-positive window,
      or a max_seq_length shorter than RoBERTa's.
  """
  _check_roberta_config(roberta_config)
  if attention_window <= 0 or attention_window % 2:
    raise ValueError(f'attention_window={attention_window} must be a '
                     'positive even integer (the full window).')
  offset = encoder_lib.first_real_position_id(
      int(roberta_config.get('pad_token_id', 1)))
  roberta_length = int(roberta_config['max_position_embeddings']) - offset
  if max_seq_length < roberta_length:
    raise ValueError(
        f'max_seq_length={max_seq_length} is shorter than RoBERTa\'s '
        f'{roberta_length} positions; the table would be truncated. Use at '
        f'least {roberta_length}.')
  config = dict(roberta_config)
  config.update(model_type='longformer',
                architectures=['LongformerForMaskedLM'],
                max_position_embeddings=max_seq_length + offset,
                attention_window=[attention_window] * int(
                    roberta_config['num_hidden_layers']))
  return config


def roberta_state_to_longformer(
    state: Mapping[str, np.ndarray], roberta_config: Mapping[str, object],
    max_seq_length: int) -> Dict[str, np.ndarray]:
  """An HF Longformer state dict holding the RoBERTa weights.

  Args:
    state: HF parameter name -> array of `RobertaModel` or
      `RobertaForMaskedLM` (encoder under `roberta.`, head under
      `lm_head.`).
    roberta_config: its config dict.
    max_seq_length: as in `longformer_config_from_roberta`.

  Returns:
    Longformer names (no prefix) -> arrays: the position table extended,
    global projections copied from the local ones, `lm_head.*` unchanged.
  """
  _check_roberta_config(roberta_config)
  out = {(k[len(ROBERTA_PREFIX):] if k.startswith(ROBERTA_PREFIX) else k):
         np.asarray(v, np.float32) for k, v in state.items()}
  if _POSITIONS not in out:
    raise ValueError(f'The checkpoint has no {_POSITIONS}; is it a RoBERTa '
                     'encoder?')
  out[_POSITIONS] = position_table.extend_position_table(
      out[_POSITIONS], int(roberta_config.get('pad_token_id', 1)),
      max_seq_length)
  for layer in range(int(roberta_config['num_hidden_layers'])):
    prefix = f'encoder.layer.{layer}.attention.self.'
    for local, global_ in _LOCAL_TO_GLOBAL:
      for weight in ('weight', 'bias'):
        out[f'{prefix}{global_}.{weight}'] = out[
            f'{prefix}{local}.{weight}'].copy()
  return out


def local_and_global_pairs(encoder):
  """(layer, local name, local variable, global variable) for every layer's
  query/key/value kernel and bias."""
  for layer, block in enumerate(encoder.transformer_layers):
    projections = block.attention_layer.projections
    for local, global_ in _LOCAL_TO_GLOBAL:
      for weight in ('kernel', 'bias'):
        yield (layer, f'{local}.{weight}',
               getattr(projections[local], weight),
               getattr(projections[global_], weight))


def copy_local_to_global(encoder) -> int:
  """Sets every layer's global Q/K/V projections to its local ones.

  Args:
    encoder: a built `LongformerEncoder`.

  Returns:
    The number of variables assigned.
  """
  assigned = 0
  for _, _, local, global_ in local_and_global_pairs(encoder):
    global_.assign(local)
    assigned += 1
  return assigned
