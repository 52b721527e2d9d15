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

"""Checks `LongformerEncoder`'s inputs and builds its blocks' attention mask.

Conventions (one per entry point):
  input_mask: int [B, T]. 0 = padding, 1 = token. With the encoder's
    `global_tokens='marked'`, also 2 = global token: this is how global
    positions travel through Model Garden's data path (TFRecord ->
    dataloader -> task -> encoder), which carries only `input_word_ids`,
    `input_mask` and `input_type_ids`.
  global_attention_mask: optional int [B, T], HF's name and meaning (1 =
    global), given in Python together with a 0/1 `input_mask`; honoured in
    either mode, exactly as HF does.
  Without either marking (global_tokens='first', no global_attention_mask),
  the first `global_attention_size` real tokens of each row are global
  (after left padding or a hole in the mask too).
  Both masks may also be bool (True = token / global), as HF accepts.
  Other keys of the inputs dict are ignored, as Model Garden's encoders do.

The blocks get one int32 [B, T] mask: 0 = padding, 1 = token, 2 = global.

Checks. Static facts (rank, length) raise ValueError when the model is built.
Values are checked with TF assertions, which raise InvalidArgumentError in
eager and graph (`tf.function`) execution and compile to nothing under XLA
(`jit_compile`, TPU). Under XLA, therefore: a row with more than G global
tokens keeps its first G global and the others are ordinary tokens; word ids
outside the vocabulary are clamped by the embedding gather; token types
outside [0, type_vocab_size) get a zero type embedding; other mask values are
read as `mask > 0` = token. The data tools never write such records.
"""
from typing import Dict, List, Optional

import tensorflow as tf

from longformer.modeling import attention_plan
from longformer.modeling.attention import GLOBAL_TOKEN

_MASKS = ('input_mask', 'global_attention_mask')


def _assert_all(condition: tf.Tensor, message: str):
  """An assertion that `condition` (bool, any shape) holds everywhere."""
  return tf.debugging.Assert(tf.reduce_all(condition), [message],
                             name='longformer_input_check')


def _after(checks, x: tf.Tensor) -> tf.Tensor:
  """`x`, computed only after the assertions `checks` passed."""
  with tf.control_dependencies([c for c in checks if c is not None]):
    return tf.identity(x)


def as_int_masks(inputs: Dict[str, tf.Tensor]) -> Dict[str, tf.Tensor]:
  """`inputs` with bool masks (as HF accepts) as int32: True = 1."""
  result = dict(inputs)
  for name in _MASKS:
    if name in result:
      mask = tf.convert_to_tensor(result[name])
      result[name] = tf.cast(mask, tf.int32) if mask.dtype == tf.bool else mask
  return result


def check_shapes(inputs: Dict[str, tf.Tensor]) -> List[tf.Operation]:
  """Checks that the inputs agree on [B, T]: raises ValueError naming the
  keys and shapes when static shapes disagree; returns assertions for the
  dynamic dimensions.

  Args:
    inputs: by name: int [B, T] ids and masks, float [B, T, E]
      `input_word_embeddings`.
  """
  tensors = {name: tf.convert_to_tensor(x) for name, x in inputs.items()}
  shapes = ', '.join(f'{name} {x.shape}' for name, x in sorted(
      tensors.items()))
  for name, x in tensors.items():
    rank = 3 if name == 'input_word_embeddings' else 2
    if x.shape.rank is not None and x.shape.rank != rank:
      raise ValueError(
          f'{name} must have rank {rank} ([batch, length'
          f'{", width" if rank == 3 else ""}]); got {shapes}.')
  for axis, meaning in ((0, 'batch size'), (1, 'length')):
    known = {name: x.shape[axis] for name, x in tensors.items()
             if x.shape.rank is not None and x.shape[axis] is not None}
    if len(set(known.values())) > 1:
      raise ValueError(f'The inputs disagree on the {meaning} (axis '
                       f'{axis}): {shapes}. Give every input the same '
                       '[batch, length].')
  reference = tensors['input_mask']
  return [tf.debugging.assert_equal(
      tf.shape(x)[:2], tf.shape(reference)[:2],
      message=f'{name} and input_mask disagree on [batch, length]: give '
      'every input the same [batch, length].')
          for name, x in sorted(tensors.items()) if name != 'input_mask']


def checked_ids(ids: tf.Tensor, limit: int, name: str,
                fix: str) -> tf.Tensor:
  """`ids`, asserted 0 <= ids < limit (see the module docstring for XLA)."""
  return _after([_assert_all(tf.logical_and(ids >= 0, ids < limit),
                             f'{name} must be in [0, {limit}): {fix}')], ids)


def check_length(seq_length, max_tokens: int, max_sequence_length: int):
  """Raises ValueError unless 0 < T <= max_tokens for a static length T;
  returns an assertion (or None) for a dynamic one."""
  fix = (f'max_sequence_length={max_sequence_length} position rows, starting '
         f'after the padding id, hold {max_tokens} tokens. Shorten the '
         "input (e.g. the tokenizer's max_seq_length).")
  if isinstance(seq_length, int):
    if seq_length == 0:
      raise ValueError('The input sequence length is 0: give at least one '
                       'token per row.')
    if seq_length > max_tokens:
      raise ValueError(f'Input sequence length {seq_length} exceeds the '
                       f'position table: {fix}')
    return None
  return _assert_all(tf.logical_and(seq_length > 0, seq_length <= max_tokens),
              f'Input sequence length must be in [1, {max_tokens}]: {fix}')


def _check_mask_values(mask: tf.Tensor, allowed, name: str, meaning: str):
  is_allowed = tf.zeros_like(mask, tf.bool)
  for value in allowed:
    is_allowed = tf.logical_or(is_allowed,
                               tf.equal(mask, tf.cast(value, mask.dtype)))
  return _assert_all(
      is_allowed, f'{name} values must be {meaning}. An additive mask (0 = '
      'token, -10000 = padding) or -1 for padding is not supported: convert '
      f'it to {name} = 1 for tokens, 0 for padding.')


def block_attention_mask(input_mask: tf.Tensor,
                         global_attention_mask: Optional[tf.Tensor],
                         global_tokens: str,
                         global_attention_size: int) -> tf.Tensor:
  """The blocks' int32 [B, T] mask (0 pad, 1 token, 2 global), checked.

  Args:
    input_mask: [B, T], see the module docstring.
    global_attention_mask: optional [B, T], 1 = global (HF's).
    global_tokens: the encoder's 'first' or 'marked'.
    global_attention_size: G, the static number of global slots per row.

  Returns:
    int32 [B, T].
  """
  g = global_attention_size
  if global_attention_mask is not None:
    checks = [_check_mask_values(input_mask, (0, 1), 'input_mask',
                       '0 (padding) or 1 (token) when global_attention_mask '
                       'is given'),
              _check_mask_values(global_attention_mask, (0, 1),
                                 'global_attention_mask',
                                 '0 (local) or 1 (global)')]
    is_real = tf.not_equal(input_mask, 0)
    is_marked = tf.not_equal(global_attention_mask, 0)
    checks.append(_assert_all(
        tf.logical_or(is_real, tf.logical_not(is_marked)),
        'global_attention_mask marks a padding token (input_mask 0) as '
        'global: mark real tokens only.'))
  elif global_tokens == 'marked':
    checks = [_check_mask_values(
        input_mask, (0, 1, GLOBAL_TOKEN), 'input_mask',
        '0 (padding), 1 (token) or 2 (global token; global_tokens=marked)')]
    is_real = tf.not_equal(input_mask, 0)
    is_marked = tf.equal(input_mask, GLOBAL_TOKEN)
  else:
    checks = [_check_mask_values(
        input_mask, (0, 1), 'input_mask',
        "0 (padding) or 1 (token); to mark global tokens with 2, build the "
        'encoder with global_tokens=marked')]
    is_real = tf.not_equal(input_mask, 0)
    is_marked = attention_plan.is_marked_first(is_real, g)
  is_marked = tf.logical_and(is_marked, is_real)  # Also under XLA.
  count = tf.reduce_sum(tf.cast(is_marked, tf.int32), axis=1)  # [B]
  checks.append(_assert_all(
      count <= g, f'A row marks more global tokens than global_attention_size='
              f'{g} (the static number of global slots): raise '
              'global_attention_size to the largest count per row, or mark '
              'fewer tokens.'))
  return _after(checks, tf.cast(is_real, tf.int32) +
                tf.cast(is_marked, tf.int32) * (GLOBAL_TOKEN - 1))
