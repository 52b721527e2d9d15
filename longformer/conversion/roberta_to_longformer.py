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

"""RoBERTa checkpoint -> Longformer checkpoint, written only once self-checked.

What `utils/convert_roberta_to_longformer.py` runs (its docstring shows the
commands):

- `convert`: an HF RoBERTa (`RobertaModel` or `RobertaForMaskedLM`; XLM-R and
  CamemBERT too) becomes a Longformer (`roberta_conversion` extends the
  positions and copies the local Q/K/V into the global ones). The written
  checkpoint is restored with windows covering the whole check sequence and
  no global tokens, where it must compute what RoBERTa computes.
- `recopy`: a Longformer checkpoint (after masked-LM pretraining, which never
  trains the global projections) gets its local Q/K/V copied into the global
  ones; the written checkpoint must equal the source except global == local.

The set written at `output_path` (`<prefix>.index`, `<prefix>.data-*`,
`encoder_config.yaml` beside them) is staged and published by
`files.staged_output`: an existing set is refused unless `overwrite`.
torch and transformers are imported inside the functions.
"""
import os
from typing import Callable, Dict, List, NamedTuple, Optional

from absl import logging
import numpy as np
import tensorflow as tf
import yaml

from longformer.configs import encoder_config as config_lib
from longformer.conversion import checkpoint_conversion
from longformer.conversion import conversion_check
from longformer.conversion import hf_config as hf_config_lib
from longformer.conversion import masked_lm_conversion
from longformer.conversion import roberta_conversion
from longformer.files import staged_output
from longformer.modeling import masked_lm_head

CONFIG_FILE = 'encoder_config.yaml'


class Written(NamedTuple):
  """What a conversion wrote: final paths and the self-check's diffs."""
  paths: List[str]
  diffs: Dict[str, float]
  check_shape: tuple  # (batch, length) of the self-check, () for recopy.


def output_patterns(output_path: str) -> tuple:
  """The file names of the set written at checkpoint prefix `output_path`."""
  base = os.path.basename(output_path)
  return (f'{base}.index', f'{base}.data-*', CONFIG_FILE)


def load_roberta(name: str):
  """(HF model in eval mode, its config dict); refuses partial loads.

  Raises:
    ValueError: no HF config at `name`, or missing / mismatched weights.
  """
  import transformers  # pylint: disable=g-import-not-at-top
  try:
    config = transformers.AutoConfig.from_pretrained(name)
  except Exception as e:  # pylint: disable=broad-except
    raise ValueError(f'Could not load an HF config from {name!r} ({e}). Pass '
                     'a hub name or a save_pretrained directory.') from e
  masked_lm = any(a.endswith('ForMaskedLM')
                  for a in (config.architectures or []))
  cls = (transformers.AutoModelForMaskedLM if masked_lm
         else transformers.AutoModel)
  model, info = cls.from_pretrained(name, output_loading_info=True)
  if info['missing_keys'] or info['mismatched_keys']:
    raise ValueError(f'{name} does not hold a whole {cls.__name__[4:]}: '
                     f'missing {info["missing_keys"]}, mismatched '
                     f'{info["mismatched_keys"]}.')
  logging.info('Loaded %s (%s); unused keys: %s', name,
               type(model).__name__, info['unexpected_keys'])
  return model.float().eval(), config.to_dict()


def build(encoder_config, with_head, norm_epsilon):
  """A built encoder and, if `with_head`, a `RobertaMaskedLM` on it."""
  encoder = config_lib.build_longformer_encoder(encoder_config)
  length = max(8, encoder_config.global_attention_size + 1)
  encoder(conversion_check.random_batch(encoder_config, 1, length))
  head = None
  if with_head:
    head = masked_lm_conversion.build_masked_lm(
        encoder, {'layer_norm_eps': norm_epsilon})
  return encoder, head


def restore(prefix, encoder_config, with_head, norm_epsilon):
  """The written checkpoint, every value matched, into a fresh model."""
  encoder, head = build(encoder_config, with_head, norm_epsilon)
  tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
      encoder, head)).read(prefix).assert_consumed()
  return encoder, head


def write_checked(encoder, head, encoder_config, output_path: str,
                  overwrite: bool, check: Callable[[str], Dict[str, float]],
                  note: str = '') -> tuple:
  """Writes the set staged, runs `check(prefix)`, then publishes it.

  `note` (what was done) heads encoder_config.yaml as comment lines.

  Returns:
    (final paths, the diffs `check` returned).
  """
  output_dir = os.path.dirname(os.path.abspath(output_path))
  patterns = output_patterns(output_path)
  with staged_output.staged(output_dir, patterns, overwrite) as stage:
    prefix = stage.staged_path(output_path)
    tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
        encoder, head)).write(prefix)
    comments = ''.join(f'# {line}\n' for line in note.splitlines())
    staged_output.write_text(stage, CONFIG_FILE, comments + yaml.safe_dump(
        hf_config_lib.encoder_yaml_dict(encoder_config),
        default_flow_style=None, sort_keys=False))
    diffs = check(prefix)
    return stage.publish(), diffs


def _roberta_diffs(hf_model, encoder, head, batch) -> Dict[str, float]:
  """Max abs differences of real tokens' outputs, RoBERTa vs ours."""
  import torch  # pylint: disable=g-import-not-at-top
  base = getattr(hf_model, 'roberta', hf_model)
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  with torch.no_grad():
    out = base(input_ids=as_long(batch['input_word_ids']),
               attention_mask=as_long(batch['input_mask']),
               token_type_ids=as_long(batch['input_type_ids']))
  ours = encoder(batch, training=False)
  real = batch['input_mask'][..., None] > 0
  diffs = {'sequence_output': float(np.abs(np.where(
      real, ours['sequence_output'].numpy() - out.last_hidden_state.numpy(),
      0)).max())}
  if out.pooler_output is not None:
    diffs['pooled_output'] = float(np.abs(
        ours['pooled_output'].numpy() - out.pooler_output.numpy()).max())
  if head is not None:
    diffs['mlm_logits'] = conversion_check.max_mlm_logits_diff(
        hf_model, encoder, head, batch, 0)
  return diffs


def check_length(hf_model, pad_token_id: int, requested: int) -> int:
  """The self-check length: `requested`, or RoBERTa's length (at most 128).

  Raises:
    ValueError: `requested` outside [1, RoBERTa's length].
  """
  roberta_length = hf_model.config.max_position_embeddings - pad_token_id - 1
  length = requested or min(roberta_length, 128)
  if not 0 < length <= roberta_length:
    raise ValueError(f'--check_seq_length={length} must be in [1, '
                     f'{roberta_length}] (RoBERTa\'s length).')
  return length


def convert(roberta_model: str, output_path: str, max_seq_length: int = 4096,
            attention_window: int = 512, global_attention_size: int = 1,
            tolerance: float = 1e-4, check_batch_size: int = 2,
            check_seq_length: int = 0, overwrite: bool = False) -> Written:
  """RoBERTa -> Longformer checkpoint + encoder_config.yaml, self-checked.

  Args: as the CLI's flags.

  Raises:
    ValueError: a bad flag or model, an existing output set without
      `overwrite`, or a failed self-check (max abs diff > `tolerance`);
      nothing was written.
  """
  if not 0 <= global_attention_size <= max_seq_length:
    raise ValueError(f'--global_attention_size={global_attention_size} must '
                     'be in [0, --max_seq_length].')
  staged_output.check_output(os.path.dirname(os.path.abspath(output_path)),
                             output_patterns(output_path), overwrite)
  hf_model, roberta_config = load_roberta(roberta_model)
  state = {k: v.detach().numpy() for k, v in hf_model.state_dict().items()}
  longformer_config = roberta_conversion.longformer_config_from_roberta(
      roberta_config, max_seq_length, attention_window)
  encoder_config = checkpoint_conversion.encoder_config_from_hf(
      longformer_config, global_attention_size)
  longformer_state = roberta_conversion.roberta_state_to_longformer(
      state, roberta_config, max_seq_length)
  length = check_length(hf_model, encoder_config.pad_token_id,
                        check_seq_length)
  with_head = masked_lm_conversion.has_lm_head(longformer_state)
  encoder, head = build(encoder_config, with_head,
                        longformer_config.get('layer_norm_eps', 1e-5))
  logging.info('Converting %s: position table -> %s, window %d, global Q/K/V '
               'copied from local.', type(hf_model).__name__,
               longformer_state['embeddings.position_embeddings.weight'].shape,
               attention_window)
  checkpoint_conversion.load_hf_weights(encoder, longformer_state)
  if head is not None:
    masked_lm_conversion.load_lm_head_weights(head, longformer_state)

  def check(prefix):
    check_config = config_lib.LongformerEncoderConfig(
        **encoder_config.as_dict())
    check_config.attention_window = [2 * length] * encoder_config.num_layers
    check_config.global_attention_size = 0
    restored, restored_head = restore(prefix, check_config, with_head,
                                      head.norm_epsilon if head else 0)
    batch = conversion_check.random_batch(check_config, check_batch_size,
                                          length)
    diffs = _roberta_diffs(hf_model, restored, restored_head, batch)
    worst = max(diffs.values())
    if not worst <= tolerance:
      raise ValueError(f'Self-check FAILED: max abs diff {worst:.3g} > '
                       f'--tolerance={tolerance}; nothing written. Diffs: '
                       f'{diffs}')
    return diffs

  paths, diffs = write_checked(encoder, head, encoder_config, output_path,
                               overwrite, check)
  return Written(paths, diffs, (check_batch_size, length))


def read_source(path: str):
  """(checkpoint path, encoder config, head LayerNorm epsilon) of a train.py
  model_dir or a checkpoint prefix with encoder_config.yaml beside it."""
  if tf.io.gfile.isdir(path):  # A train.py model_dir.
    checkpoint = tf.train.latest_checkpoint(path)
    yaml_path = os.path.join(path, 'params.yaml')
    if not checkpoint or not tf.io.gfile.exists(yaml_path):
      raise ValueError(f'{path} has no checkpoint or params.yaml; pass a '
                       'train.py model_dir or a checkpoint prefix.')
    with tf.io.gfile.GFile(yaml_path) as f:
      model = yaml.safe_load(f)['task']['model']
    encoder, epsilon = model['encoder'], model.get('mlm_norm_epsilon', 1e-5)
  else:  # A converter prefix.
    checkpoint = path
    yaml_path = os.path.join(os.path.dirname(os.path.abspath(path)),
                             CONFIG_FILE)
    if not tf.io.gfile.exists(yaml_path):
      raise ValueError(f'No {CONFIG_FILE} beside {path}.')
    with tf.io.gfile.GFile(yaml_path) as f:
      written = yaml.safe_load(f)
    # The `encoder:` block, alone or inside a full `task:` override file.
    encoder = written.get('encoder') or written['task']['model']['encoder']
    epsilon = masked_lm_head.HF_NORM_EPSILON
  if encoder.get('type') != 'any':
    raise ValueError(f'{yaml_path} does not describe a Longformer encoder '
                     '(encoder.type must be any).')
  return checkpoint, config_lib.LongformerEncoderConfig(
      **encoder['any']), epsilon


def has_masked_lm(checkpoint: str) -> bool:
  """Whether the checkpoint holds a `masked_lm` head of its own weights."""
  return any(n.startswith('masked_lm/') and 'embedding_table' not in n
             for n, _ in tf.train.list_variables(checkpoint))


def _check_recopy(prefix, encoder_config, head, source) -> Dict[str, float]:
  """The written checkpoint equals `source` except global == local."""
  restored, _ = restore(prefix, encoder_config, head is not None,
                        head.norm_epsilon if head else 0)
  for name, ours, theirs in zip(
      [v.name for v in source.variables], restored.variables,
      source.variables):
    if not np.array_equal(ours.numpy(), theirs.numpy()):
      raise ValueError(f'Self-check FAILED: {name} differs after writing.')
  for layer, name, local, global_ in roberta_conversion.local_and_global_pairs(
      restored):
    if not np.array_equal(local.numpy(), global_.numpy()):
      raise ValueError(f'Self-check FAILED: layer {layer} global {name} != '
                       'local.')
  return {}


def recopy(source: str, output_path: str,
           overwrite: bool = False) -> Optional[Written]:
  """Existing Longformer checkpoint -> the same with global := local.

  Args:
    source: a train.py model_dir or a checkpoint prefix with
      encoder_config.yaml beside it.
    output_path: the checkpoint prefix to write.
    overwrite: replace an existing output set.

  Raises:
    ValueError: a bad source, an existing output set without `overwrite`, or
      a failed self-check; nothing was written.
  """
  staged_output.check_output(os.path.dirname(os.path.abspath(output_path)),
                             output_patterns(output_path), overwrite)
  checkpoint, encoder_config, epsilon = read_source(source)
  with_head = has_masked_lm(checkpoint)
  encoder, head = build(encoder_config, with_head, epsilon)
  status = tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
      encoder, head)).read(checkpoint)
  status.expect_partial().assert_existing_objects_matched()
  count = roberta_conversion.copy_local_to_global(encoder)
  logging.info('Read %s; copied %d local Q/K/V weights into the global ones.',
               checkpoint, count)
  paths, diffs = write_checked(
      encoder, head, encoder_config, output_path, overwrite,
      lambda prefix: _check_recopy(prefix, encoder_config, head, encoder))
  return Written(paths, diffs, ())
