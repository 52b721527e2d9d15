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

"""HF `LongformerConfig` dicts <-> `LongformerEncoderConfig`, validated.

Both directions share one field table, so a converted model exported back to
HF gets the config it came from. Everything a user can get wrong in an HF
config (another model type, a missing field, an odd window) raises a
`ValueError` naming the field and the fix.
"""
import numbers
from typing import Dict, List, Mapping, Optional

from longformer.configs import encoder_config as config_lib
from longformer.modeling import encoder as encoder_lib

# HF activation names -> tf_keras activation names (the same words).
_ACTIVATIONS = ('gelu', 'relu', 'tanh')
# (HF field, our field, type, default when HF omits it; None = required).
_FIELDS = (
    ('vocab_size', 'vocab_size', int, None),
    ('hidden_size', 'hidden_size', int, None),
    ('num_hidden_layers', 'num_layers', int, None),
    ('num_attention_heads', 'num_attention_heads', int, None),
    ('intermediate_size', 'intermediate_size', int, None),
    ('hidden_dropout_prob', 'dropout_rate', float, 0.1),
    ('attention_probs_dropout_prob', 'attention_dropout_rate', float, 0.1),
    ('max_position_embeddings', 'max_position_embeddings', int, None),
    ('type_vocab_size', 'type_vocab_size', int, 1),
    ('initializer_range', 'initializer_range', float, 0.02),
    ('pad_token_id', 'pad_token_id', int, 1),
    ('layer_norm_eps', 'norm_epsilon', float, 1e-5),
)
# What to use for HF model types that are not Longformers.
_OTHER_MODEL_TYPES = {
    'roberta': 'utils/convert_roberta_to_longformer.py (RoBERTa -> '
               'Longformer, the paper\'s initialization)',
    'xlm-roberta': 'utils/convert_roberta_to_longformer.py (RoBERTa -> '
                   'Longformer, the paper\'s initialization)',
    'bert': 'Model Garden\'s BERT encoder (encoder type `bert`) and its '
            'own checkpoint converters; this converter reads only '
            'Longformer checkpoints',
}


def _check_model_type(hf_config: Mapping[str, object]) -> None:
  model_type = hf_config.get('model_type', 'longformer')
  if model_type == 'longformer':
    return
  instead = _OTHER_MODEL_TYPES.get(
      model_type, 'a converter for that architecture; this one reads only '
      'Longformer checkpoints (config.json model_type "longformer")')
  raise ValueError(
      f'The HF config has model_type={model_type!r}, not "longformer". For '
      f'this model use {instead}.')


def _integer(value, what: str) -> int:
  """An int from an int-like value (also np.int64); ValueError otherwise."""
  if isinstance(value, bool) or not isinstance(value, numbers.Integral):
    raise ValueError(f'{what}={value!r} ({type(value).__name__}) must be an '
                     'integer.')
  return int(value)


def windows_from_hf(window, num_layers: int) -> List[int]:
  """HF `attention_window` (int or one per layer) -> one int per layer.

  Raises:
    ValueError: a non-integer, odd or non-positive window, or a list whose
      length is not num_layers.
  """
  if isinstance(window, numbers.Integral) and not isinstance(window, bool):
    windows = [int(window)] * num_layers
  elif hasattr(window, 'tolist') and not isinstance(window, (list, tuple)):
    return windows_from_hf(window.tolist(), num_layers)  # NumPy values.
  elif isinstance(window, (list, tuple)):
    values = list(window)
    if len(values) != num_layers:
      raise ValueError(
          f'attention_window has {len(values)} values but num_hidden_layers='
          f'{num_layers}; give one window per layer or a single int.')
    windows = [_integer(w, f'attention_window[{i}]')
               for i, w in enumerate(values)]
  else:
    raise ValueError(f'attention_window={window!r} must be an int or a list '
                     'of one int per layer.')
  for i, w in enumerate(windows):
    if w <= 0 or w % 2:
      raise ValueError(f'attention_window[{i}]={w} must be a positive even '
                       'integer (HF\'s full window: w // 2 on each side).')
  return windows


def encoder_config_from_hf(hf_config: Mapping[str, object],
                           global_attention_size: int = 1
                           ) -> config_lib.LongformerEncoderConfig:
  """Translates an HF `LongformerConfig` dict to our encoder config.

  Raises:
    ValueError: not a Longformer config, a required field missing, an
      unsupported activation, a bad window, or a global size that no input
      within the position table can hold.
  """
  _check_model_type(hf_config)
  values = {}
  for hf_name, name, kind, default in _FIELDS:
    if hf_name not in hf_config and default is None:
      raise ValueError(f'The HF config has no {hf_name!r}; is it a '
                       'Longformer config.json?')
    value = hf_config.get(hf_name, default)
    values[name] = (_integer(value, hf_name) if kind is int else
                    float(value))
  activation = hf_config.get('hidden_act', 'gelu')
  if activation not in _ACTIVATIONS:
    raise ValueError(
        f'hidden_act={activation!r} in the HF config is not supported; '
        f'supported: {list(_ACTIVATIONS)}.')
  if 'attention_window' not in hf_config:
    raise ValueError('The HF config has no \'attention_window\'; is it a '
                     'Longformer config.json?')
  global_attention_size = _integer(global_attention_size,
                                   'global_attention_size')
  max_tokens = max_input_tokens(values['max_position_embeddings'],
                                values['pad_token_id'])
  if not 0 <= global_attention_size <= max_tokens:
    raise ValueError(
        f'global_attention_size={global_attention_size} must be between 0 '
        f'and {max_tokens}, the longest input the position table holds '
        f'(max_position_embeddings={values["max_position_embeddings"]}).')
  return config_lib.LongformerEncoderConfig(
      hidden_activation=activation,
      attention_window=windows_from_hf(hf_config['attention_window'],
                                       values['num_layers']),
      global_attention_size=global_attention_size,
      **values)


def hf_config_from_encoder_config(
    encoder_config: config_lib.LongformerEncoderConfig) -> Dict:
  """Our encoder config -> the fields of an HF `LongformerConfig`.

  Raises:
    ValueError: a setting HF's Longformer cannot express (pre-layer-norm,
      a factorized embedding, a truncated output range).
  """
  if (encoder_config.norm_first or encoder_config.embedding_size or
      encoder_config.output_range):
    raise ValueError(
        'HF Longformer has post-layer-norm blocks, embeddings as wide as the '
        'hidden size and every output position; this encoder config sets '
        f'norm_first={encoder_config.norm_first}, embedding_size='
        f'{encoder_config.embedding_size}, output_range='
        f'{encoder_config.output_range}. Reset them to export.')
  if encoder_config.hidden_activation not in _ACTIVATIONS:
    raise ValueError(f'hidden_activation={encoder_config.hidden_activation!r}'
                     f' has no HF equivalent; supported: '
                     f'{list(_ACTIVATIONS)}.')
  hf = {hf_name: getattr(encoder_config, name)
        for hf_name, name, _, _ in _FIELDS}
  hf['hidden_act'] = encoder_config.hidden_activation
  hf['attention_window'] = windows_from_hf(
      list(encoder_config.attention_window)
      if len(encoder_config.attention_window) > 1 else
      encoder_config.attention_window[0], encoder_config.num_layers)
  hf['model_type'] = 'longformer'
  return hf


def max_input_tokens(max_position_embeddings: int, pad_token_id: int) -> int:
  """Longest input the position table holds (ids start at pad + 1)."""
  return max_position_embeddings - encoder_lib.first_real_position_id(
      pad_token_id)


def encoder_yaml_dict(encoder_config: config_lib.LongformerEncoderConfig,
                      init_checkpoint: Optional[str] = None,
                      model: Optional[Mapping[str, object]] = None) -> Dict:
  """A `--config_file` override for `train.py --experiment=longformer/glue`.

  Args:
    encoder_config: the encoder to build.
    init_checkpoint: the `tf.train.Checkpoint(encoder=...)` prefix, or None.
    model: extra `task.model` fields (e.g. num_classes for a classifier).

  Returns:
    {'task': {'model': {'encoder': {'type': 'any', 'any': ...}, **model},
    'init_checkpoint': ...}}.
  """
  task_model = {'encoder': {'type': 'any', 'any': encoder_config.as_dict()}}
  task_model.update(model or {})
  task = {'model': task_model}
  if init_checkpoint:
    task['init_checkpoint'] = init_checkpoint
  return {'task': task}
