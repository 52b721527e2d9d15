"""The converter's self-check: written files vs an independently loaded HF.

The converted model is rebuilt from the written `encoder_config.yaml` and
restored from the written checkpoint (every saved value must be used); the
reference is what `transformers` `from_pretrained` loads from the original
folder. Both run on one random padded batch with the first G tokens global.
torch and transformers are imported inside the functions.
"""
from typing import Dict, Optional

import numpy as np
import tensorflow as tf
import yaml

from longformer import config as config_lib
from longformer import hf_config as hf_config_lib
from longformer import task_heads


def random_batch(encoder_config, batch_size: int, seq_length: int,
                 seed: int = 0) -> Dict[str, np.ndarray]:
  """Random ids, ragged padding after the global tokens: int32 [B, T]."""
  rng = np.random.default_rng(seed)
  pad = encoder_config.pad_token_id
  ids = rng.integers(0, encoder_config.vocab_size, (batch_size, seq_length))
  ids[ids == pad] = (pad + 1) % encoder_config.vocab_size
  mask = np.ones((batch_size, seq_length), np.int32)
  for row in range(1, batch_size):  # Every row but the first is padded.
    mask[row, max(encoder_config.global_attention_size, 1) +
         rng.integers(0, seq_length // 2):] = 0
  ids[mask == 0] = pad
  types = rng.integers(0, encoder_config.type_vocab_size,
                       (batch_size, seq_length))
  return dict(input_word_ids=ids.astype(np.int32), input_mask=mask,
              input_type_ids=(types * mask).astype(np.int32))


def _restore(prefix: str, yaml_path: str, head: Optional[str],
             num_classes: int):
  """(encoder config, encoder, task model or None) from the written files."""
  with open(yaml_path) as f:
    fields = yaml.safe_load(f)['task']['model']['encoder']['any']
  encoder_config = config_lib.LongformerEncoderConfig(**fields)
  encoder = config_lib.build_longformer_encoder(encoder_config)
  objects = dict(encoder=encoder)
  if head is not None:
    objects['model'] = task_heads.build_task_model(encoder, head, num_classes)
  else:
    encoder(random_batch(encoder_config, 1, max(
        8, encoder_config.global_attention_size)))
  tf.train.Checkpoint(**objects).read(prefix).assert_consumed()
  return encoder_config, encoder, objects.get('model')


def seq_length_for(encoder_config, requested: int) -> int:
  """The self-check length: `requested`, or 2.5 windows (at least G + 8).

  Raises:
    ValueError: a requested length outside [G, longest input].
  """
  max_tokens = hf_config_lib.max_input_tokens(
      encoder_config.max_position_embeddings, encoder_config.pad_token_id)
  g = encoder_config.global_attention_size
  if requested:
    if not g <= requested <= max_tokens:
      raise ValueError(f'--check_seq_length={requested} must be between '
                       f'global_attention_size={g} and {max_tokens}.')
    return requested
  return min(max(5 * max(encoder_config.attention_window) // 2, g + 8),
             max_tokens)


def _hf_outputs(model_dir, head, batch, global_size, require_every_weight):
  """HF outputs, name -> array (the pooler's only if HF loaded it)."""
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  hf_class = getattr(transformers, task_heads.HF_CLASSES[head])
  model, info = hf_class.from_pretrained(model_dir, output_loading_info=True)
  if require_every_weight and (info['missing_keys'] or
                               info['unexpected_keys']):
    raise ValueError(f'{model_dir} does not load cleanly as {hf_class}: '
                     f'{info}')
  model.float().eval()
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  global_mask = np.zeros_like(batch['input_mask'])
  global_mask[:, :global_size] = 1
  inputs = dict(input_ids=as_long(batch['input_word_ids']),
                attention_mask=as_long(batch['input_mask']),
                global_attention_mask=as_long(global_mask),
                token_type_ids=as_long(batch['input_type_ids']))
  base = model if head is None else model.longformer
  with torch.no_grad():
    encoder_out = base(**inputs)
    out = {'sequence_output': encoder_out.last_hidden_state.numpy()}
    if head is None and not info['missing_keys']:
      out['pooled_output'] = encoder_out.pooler_output.numpy()
    if head == task_heads.CLASSIFICATION:
      out['logits'] = model(**inputs).logits.numpy()
    elif head == task_heads.QUESTION_ANSWERING:
      qa = model(**inputs)
      out['start_logits'] = qa.start_logits.numpy()
      out['end_logits'] = qa.end_logits.numpy()
  return out


def _our_outputs(encoder, task_model, head, batch):
  ours = encoder(batch, training=False)
  out = {'sequence_output': ours['sequence_output'].numpy(),
         'pooled_output': ours['pooled_output'].numpy()}
  if head == task_heads.CLASSIFICATION:
    out['logits'] = task_model(batch, training=False).numpy()
  elif head == task_heads.QUESTION_ANSWERING:
    start, end = task_model(batch, training=False)
    out['start_logits'], out['end_logits'] = start.numpy(), end.numpy()
  return out


def compare_with_hf(encoder_config, encoder, task_model, head: Optional[str],
                    model_dir: str, batch_size: int = 2, seq_length: int = 0,
                    require_every_weight: bool = False) -> float:
  """Max abs difference between our model and HF's from `model_dir`.

  Args:
    encoder_config, encoder, task_model, head: our model (task_model None
      for the bare encoder).
    model_dir: a save_pretrained folder, loaded with the class of `head`.
    batch_size, seq_length: the random batch (seq_length 0: see
      `seq_length_for`); the first G tokens are global.
    require_every_weight: raise ValueError if HF reports a missing or an
      unexpected weight.

  Returns:
    The largest difference over every output (each is printed).
  """
  seq_length = seq_length_for(encoder_config, seq_length)
  batch = random_batch(encoder_config, batch_size, seq_length)
  theirs = _hf_outputs(model_dir, head, batch,
                       encoder_config.global_attention_size,
                       require_every_weight)
  ours = _our_outputs(encoder, task_model, head, batch)
  diffs = {}
  for name, expected in theirs.items():
    diffs[name] = float(np.abs(ours[name] - expected).max())
    print(f'Check on a [{batch_size}, {seq_length}] padded batch: max '
          f'abs diff {name} = {diffs[name]:.3g}', flush=True)
  return max(diffs.values())


def check_staged(prefix: str, yaml_path: str, model_dir: str,
                 head: Optional[str], num_classes: int, batch_size: int,
                 seq_length: int) -> float:
  """Restores the written files; `compare_with_hf` against `model_dir`."""
  encoder_config, encoder, task_model = _restore(prefix, yaml_path, head,
                                                 num_classes)
  return compare_with_hf(encoder_config, encoder, task_model, head, model_dir,
                         batch_size, seq_length)
