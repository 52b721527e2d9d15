"""HF PyTorch Longformer weights -> `LongformerEncoder` variables.

Works on NumPy arrays keyed by HF parameter names (no torch import): the CLI
`utils/convert_pretrained_pytorch_checkpoint_to_tf.py` reads the checkpoint
and calls `encoder_config_from_hf` and `load_hf_weights`.

Every HF key under the encoder (`embeddings.`, `encoder.`, `pooler.`) must
map to a variable, and every variable must receive a weight of the right
shape; anything else (task heads) is reported as ignored. Shapes: D hidden,
N heads, H head size, I feed-forward width.
"""
import dataclasses
import logging
from typing import Callable, Dict, List, Mapping, Tuple

import numpy as np

from longformer import config as config_lib

# HF task models (LongformerForMaskedLM, ...ForSequenceClassification) keep
# the encoder under this prefix.
TASK_MODEL_PREFIX = 'longformer.'
_ENCODER_PREFIXES = ('embeddings.', 'encoder.', 'pooler.')
# Buffers, not weights: recomputed by the encoder.
_BUFFERS_NOT_WEIGHTS = ('embeddings.position_ids',
                        'embeddings.token_type_ids')
# HF activation names -> tf_keras activation names.
_ACTIVATIONS = {'gelu': 'gelu', 'relu': 'relu', 'tanh': 'tanh'}


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


def encoder_config_from_hf(hf_config: Mapping[str, object],
                           global_attention_size: int = 1
                           ) -> config_lib.LongformerEncoderConfig:
  """Translates an HF `LongformerConfig` dict to our encoder config."""
  activation = hf_config.get('hidden_act', 'gelu')
  if activation not in _ACTIVATIONS:
    raise ValueError(
        f'hidden_act={activation!r} in the HF config is not supported; '
        f'supported: {sorted(_ACTIVATIONS)}.')
  num_layers = int(hf_config['num_hidden_layers'])
  window = hf_config['attention_window']
  windows = [int(window)] * num_layers if isinstance(window, int) else [
      int(w) for w in window]
  return config_lib.LongformerEncoderConfig(
      vocab_size=int(hf_config['vocab_size']),
      hidden_size=int(hf_config['hidden_size']),
      num_layers=num_layers,
      num_attention_heads=int(hf_config['num_attention_heads']),
      hidden_activation=_ACTIVATIONS[activation],
      intermediate_size=int(hf_config['intermediate_size']),
      dropout_rate=float(hf_config.get('hidden_dropout_prob', 0.1)),
      attention_dropout_rate=float(
          hf_config.get('attention_probs_dropout_prob', 0.1)),
      max_position_embeddings=int(hf_config['max_position_embeddings']),
      type_vocab_size=int(hf_config.get('type_vocab_size', 1)),
      initializer_range=float(hf_config.get('initializer_range', 0.02)),
      attention_window=windows,
      global_attention_size=global_attention_size,
      pad_token_id=int(hf_config.get('pad_token_id', 1)),
      norm_epsilon=float(hf_config.get('layer_norm_eps', 1e-5)))


def encoder_config_yaml_dict(
    encoder_config: config_lib.LongformerEncoderConfig) -> Dict:
  """The `encoder:` block of an experiment YAML for this config."""
  return {'encoder': {'type': 'any', 'any': encoder_config.as_dict()}}


# Named transforms from an HF tensor to our variable layout.
def _identity(x, _):
  return x


def _linear_kernel(x, _):
  """HF Linear weight [out, in] -> Keras kernel [in, out]."""
  return x.T


def _heads_kernel(x, heads):
  """HF Linear weight [N*H, D] -> EinsumDense kernel [D, N, H]."""
  return x.T.reshape(x.shape[1], heads, -1)


def _heads_bias(x, heads):
  """HF Linear bias [N*H] -> EinsumDense bias [N, H]."""
  return x.reshape(heads, -1)


def _merge_heads_kernel(x, heads):
  """HF Linear weight [D, N*H] -> EinsumDense kernel [N, H, D]."""
  return x.T.reshape(heads, -1, x.shape[0])


_Transform = Callable[[np.ndarray, int], np.ndarray]


def _weight_table(encoder) -> List[Tuple[str, object, _Transform]]:
  """(HF name, our variable, transform) for every encoder variable."""
  table = [
      ('embeddings.word_embeddings.weight',
       encoder.get_embedding_layer().embeddings, _identity),
      ('embeddings.position_embeddings.weight',
       encoder.position_embedding_layer.embeddings, _identity),
      ('embeddings.token_type_embeddings.weight',
       encoder.type_embedding_layer.embeddings, _identity),
      ('embeddings.LayerNorm.weight',
       encoder.embedding_norm_layer.gamma, _identity),
      ('embeddings.LayerNorm.bias',
       encoder.embedding_norm_layer.beta, _identity),
      ('pooler.dense.weight', encoder.pooler_layer.kernel, _linear_kernel),
      ('pooler.dense.bias', encoder.pooler_layer.bias, _identity),
  ]
  for i, block in enumerate(encoder.transformer_layers):
    hf = f'encoder.layer.{i}.'
    attn = block.attention_layer
    for name, dense in attn.projections.items():
      table.append((f'{hf}attention.self.{name}.weight', dense.kernel,
                    _heads_kernel))
      table.append((f'{hf}attention.self.{name}.bias', dense.bias,
                    _heads_bias))
    table += [
        (f'{hf}attention.output.dense.weight', attn.output_dense.kernel,
         _merge_heads_kernel),
        (f'{hf}attention.output.dense.bias', attn.output_dense.bias,
         _identity),
        (f'{hf}attention.output.LayerNorm.weight',
         block.attention_layer_norm.gamma, _identity),
        (f'{hf}attention.output.LayerNorm.bias',
         block.attention_layer_norm.beta, _identity),
        (f'{hf}intermediate.dense.weight', block.intermediate_dense.kernel,
         _linear_kernel),
        (f'{hf}intermediate.dense.bias', block.intermediate_dense.bias,
         _identity),
        (f'{hf}output.dense.weight', block.output_dense.kernel,
         _linear_kernel),
        (f'{hf}output.dense.bias', block.output_dense.bias, _identity),
        (f'{hf}output.LayerNorm.weight', block.output_layer_norm.gamma,
         _identity),
        (f'{hf}output.LayerNorm.bias', block.output_layer_norm.beta,
         _identity),
    ]
  return table


def strip_task_prefix(
    state: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
  """Removes the `longformer.` prefix of task-head checkpoints."""
  if any(k.startswith(TASK_MODEL_PREFIX) for k in state):
    return {(k[len(TASK_MODEL_PREFIX):] if k.startswith(TASK_MODEL_PREFIX)
             else k): v for k, v in state.items()}
  return dict(state)


def load_hf_weights(encoder, state: Mapping[str, np.ndarray]) -> LoadReport:
  """Assigns HF weights to a built encoder, all of them or none.

  Args:
    encoder: a built `LongformerEncoder` (called once).
    state: HF parameter name -> array, from `LongformerModel` or a task
      model (the `longformer.` prefix is removed).

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
  table = _weight_table(encoder)
  problems, assignments = [], []
  has_pooler = any(k.startswith(_OPTIONAL_PREFIX) for k in state)
  left_at_init = []
  for hf_name, variable, transform in table:
    if hf_name not in state and not has_pooler and hf_name.startswith(
        _OPTIONAL_PREFIX):
      left_at_init.append(hf_name)
      continue
    if hf_name not in state:
      problems.append(f'missing in checkpoint: {hf_name} (for '
                      f'{variable.name})')
      continue
    value = transform(np.asarray(state[hf_name], dtype=np.float32), heads)
    if tuple(value.shape) != tuple(variable.shape):
      problems.append(
          f'shape mismatch: {hf_name} {tuple(state[hf_name].shape)} -> '
          f'{tuple(value.shape)} after {transform.__name__.strip("_")}, but '
          f'{variable.name} is {tuple(variable.shape)}')
      continue
    assignments.append((variable, value))
  mapped = {hf_name for hf_name, _, _ in table}
  ignored = []
  for key in sorted(state):
    if key in mapped:
      continue
    if key.startswith(_ENCODER_PREFIXES) and key not in _BUFFERS_NOT_WEIGHTS:
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
