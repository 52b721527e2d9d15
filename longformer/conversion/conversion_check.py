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

"""The converter's self-check: written files vs an independently loaded HF.

The converted model is rebuilt from the written `encoder_config.yaml` and
restored from the written checkpoint (every saved value must be used); the
reference is what `transformers` `from_pretrained` loads from the original
folder. Both run on one random padded batch: the first G tokens global, or
for question answering `<s>` question `</s></s>` context `</s>` rows whose
global tokens are HF's own choice (everything before the first `</s>`),
passed to our encoder as `global_attention_mask`. A masked-LM head is
compared on its logits at every position. torch and transformers are
imported inside the functions.
"""
from typing import Dict, Optional

import numpy as np
import tensorflow as tf
import yaml

from longformer.configs import encoder_config as config_lib
from longformer.conversion import hf_config as hf_config_lib
from longformer.conversion import masked_lm_conversion
from longformer.conversion import task_heads


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
    model_fields = yaml.safe_load(f)['task']['model']
  encoder_config = config_lib.LongformerEncoderConfig(
      **model_fields['encoder']['any'])
  encoder = config_lib.build_longformer_encoder(encoder_config)
  encoder(random_batch(encoder_config, 1, max(
      8, encoder_config.global_attention_size)))
  task_model = None
  if head is not None:
    task_model = task_heads.build_task_model(
        encoder, head, num_classes, norm_epsilon=model_fields.get(
            'mlm_norm_epsilon', encoder_config.norm_epsilon))
  objects = task_heads.checkpoint_items(encoder, task_model, head)
  tf.train.Checkpoint(**objects).read(prefix).assert_consumed()
  return encoder_config, encoder, task_model


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


def qa_batch(encoder_config, sep_token_id: int, batch_size: int,
             seq_length: int, seed: int = 0) -> Dict[str, np.ndarray]:
  """`<s> question </s></s> context </s>` rows, then padding.

  Row r has a question of max(0, G - 1 - r) tokens, so its global tokens
  (`<s>` + question) are the first max(1, G - r) positions: all G slots in
  row 0, fewer in the others. Exactly three `</s>` per row, as HF's QA
  model requires.

  Returns:
    `random_batch`'s inputs plus `global_attention_mask` (1 = global,
    before the first `</s>`), int32 [B, T] each.

  Raises:
    ValueError: seq_length too short for G global tokens and three `</s>`.
  """
  g = max(encoder_config.global_attention_size, 1)
  if seq_length < g + 3:
    raise ValueError(f'A QA self-check needs --check_seq_length >= '
                     f'global_attention_size + 3 = {g + 3}.')
  batch = random_batch(encoder_config, batch_size, seq_length, seed)
  ids, mask = batch['input_word_ids'], batch['input_mask']
  pad = encoder_config.pad_token_id
  ids[ids == sep_token_id] = next(
      i for i in range(encoder_config.vocab_size) if i not in (pad,
                                                               sep_token_id))
  global_mask = np.zeros_like(mask)
  for row in range(batch_size):
    question = max(0, g - 1 - row)
    length = max(int(mask[row].sum()), question + 4)
    mask[row, :length], mask[row, length:] = 1, 0
    ids[row, length:] = pad
    ids[row, [question + 1, question + 2, length - 1]] = sep_token_id
    global_mask[row, :question + 1] = 1
  batch['input_type_ids'] *= mask
  return dict(batch, global_attention_mask=global_mask)


def _torch_inputs(batch, global_mask=None):
  """HF keyword arguments (int64 tensors) for our inputs dict."""
  import torch  # pylint: disable=g-import-not-at-top
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  inputs = dict(input_ids=as_long(batch['input_word_ids']),
                attention_mask=as_long(batch['input_mask']),
                token_type_ids=as_long(batch['input_type_ids']))
  if global_mask is not None:
    inputs['global_attention_mask'] = as_long(global_mask)
  return inputs


def _first_tokens_global(batch, global_size):
  """int [B, T]: 1 on the first `global_size` tokens of each row."""
  global_mask = np.zeros_like(batch['input_mask'])
  global_mask[:, :global_size] = 1
  return global_mask


def _question_tokens_global(input_ids, sep_token_id):
  """int [B, T]: 1 on the tokens before each row's first `</s>`.

  The rule HF's `LongformerForQuestionAnswering` documents for a missing
  `global_attention_mask`: the question (`<s> q`) is global.

  Raises:
    ValueError: if a row holds no `sep_token_id`.
  """
  is_sep = np.asarray(input_ids) == sep_token_id
  if not is_sep.any(axis=1).all():
    raise ValueError(f'Every QA check row needs a </s> (id {sep_token_id}) '
                     'after its question.')
  first_sep = is_sep.argmax(axis=1)  # [B]
  positions = np.arange(is_sep.shape[1])
  return (positions[np.newaxis] < first_sep[:, np.newaxis]).astype(
      np.asarray(input_ids).dtype)


def _load_hf(model_dir, head, require_every_weight):
  """(HF model of `head`'s class in float32 eval mode, its loading info)."""
  import transformers  # pylint: disable=g-import-not-at-top
  hf_class = getattr(transformers, task_heads.HF_CLASSES[head])
  model, info = hf_class.from_pretrained(model_dir, output_loading_info=True)
  if require_every_weight and (info['missing_keys'] or
                               info['unexpected_keys']):
    raise ValueError(f'{model_dir} does not load cleanly as {hf_class}: '
                     f'{info}')
  return model.float().eval(), info


def _hf_outputs(model, info, head, batch, global_size):
  """HF outputs, name -> array (the pooler's only if HF loaded it).

  QA runs without a global mask (HF computes its own); its encoder output
  uses the mask of HF's documented rule (`_question_tokens_global`).
  """
  import torch  # pylint: disable=g-import-not-at-top
  inputs = _torch_inputs(batch)
  if head == task_heads.QUESTION_ANSWERING:
    hf_global = _question_tokens_global(batch['input_word_ids'],
                                        model.config.sep_token_id)
  else:
    hf_global = _first_tokens_global(batch, global_size)
  with torch.no_grad():
    if head == task_heads.QUESTION_ANSWERING:
      qa = model(**inputs)
    inputs.update(_torch_inputs(batch, hf_global))
    base = model if head is None else model.longformer
    encoder_out = base(**inputs)
    out = {'sequence_output': encoder_out.last_hidden_state.numpy()}
    if head is None and not info['missing_keys']:
      out['pooled_output'] = encoder_out.pooler_output.numpy()
    if head == task_heads.CLASSIFICATION:
      out['logits'] = model(**inputs).logits.numpy()
    elif head == task_heads.QUESTION_ANSWERING:
      out['start_logits'] = qa.start_logits.numpy()
      out['end_logits'] = qa.end_logits.numpy()
    elif head == task_heads.MASKED_LM:
      out['mlm_logits'] = model(**inputs).logits.numpy()
  return out


def _our_inputs(encoder_config, batch, global_mask):
  """Our inputs with `global_mask`'s tokens global, in the config's mode.

  'marked': `input_mask` 2 on global tokens (the task models' data path);
  'first': the 0/1 batch plus `global_attention_mask`.
  """
  inputs = {k: v for k, v in batch.items() if k != 'global_attention_mask'}
  if encoder_config.global_tokens == 'marked':
    inputs['input_mask'] = batch['input_mask'] + global_mask
  else:
    inputs['global_attention_mask'] = global_mask
  return inputs


def _our_outputs(encoder, task_model, head, batch):
  """Our outputs, name -> array; `batch` from `_our_inputs`."""
  ours = encoder(batch, training=False)
  out = {'sequence_output': ours['sequence_output'].numpy(),
         'pooled_output': ours['pooled_output'].numpy()}
  if head == task_heads.CLASSIFICATION:
    # Its functional inputs have no global_attention_mask: in 'first' mode
    # the batch's global tokens are the first G, which the model makes.
    out['logits'] = task_model({k: v for k, v in batch.items()
                                if k != 'global_attention_mask'},
                               training=False).numpy()
  elif head == task_heads.QUESTION_ANSWERING:
    # The task model's functional inputs have no global_attention_mask:
    # its span-labeling layer runs on the encoder output computed with it.
    start, end = task_model.span_labeling(ours['sequence_output'])
    out['start_logits'], out['end_logits'] = start.numpy(), end.numpy()
  elif head == task_heads.MASKED_LM:
    out['mlm_logits'] = masked_lm_conversion.mlm_logits(encoder, task_model,
                                                        batch)
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
      `seq_length_for`); the first G tokens are global (QA: `qa_batch`).
    require_every_weight: raise ValueError if HF reports a missing or an
      unexpected weight.

  Returns:
    The largest difference over every output (each is printed).
  """
  seq_length = seq_length_for(encoder_config, seq_length)
  model, info = _load_hf(model_dir, head, require_every_weight)
  if head == task_heads.QUESTION_ANSWERING:
    batch = qa_batch(encoder_config, model.config.sep_token_id, batch_size,
                     seq_length)
    global_mask = batch.pop('global_attention_mask')
  else:
    batch = random_batch(encoder_config, batch_size, seq_length)
    global_mask = _first_tokens_global(batch,
                                       encoder_config.global_attention_size)
  theirs = _hf_outputs(model, info, head, batch,
                       encoder_config.global_attention_size)
  ours = _our_outputs(encoder, task_model, head,
                      _our_inputs(encoder_config, batch, global_mask))
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


def hf_mlm_logits(hf_model, batch, global_attention_size) -> np.ndarray:
  """HF `...ForMaskedLM` logits: float32 [B, T, V].

  Args:
    hf_model: `LongformerForMaskedLM` (the first `global_attention_size`
      tokens global) or `RobertaForMaskedLM` (`global_attention_size` must
      be 0: RoBERTa attends fully).
    batch: our encoder inputs, int32 [B, T] each.
    global_attention_size: leading global tokens.
  """
  import torch  # pylint: disable=g-import-not-at-top
  global_mask = None
  if hf_model.config.model_type == 'longformer':
    global_mask = _first_tokens_global(batch, global_attention_size)
  elif global_attention_size:
    raise ValueError('A RoBERTa reference has no global tokens; check with '
                     'global_attention_size=0.')
  with torch.no_grad():
    return hf_model.eval()(**_torch_inputs(batch, global_mask)).logits.numpy()


def max_mlm_logits_diff(hf_model, encoder, head, batch,
                        global_attention_size) -> float:
  """Max abs difference of MLM logits at every real token, HF vs ours."""
  ours = masked_lm_conversion.mlm_logits(encoder, head, batch)
  theirs = hf_mlm_logits(hf_model, batch, global_attention_size)
  real = np.asarray(batch['input_mask'])[..., None] > 0
  return float(np.abs(np.where(real, ours - theirs, 0.0)).max())
