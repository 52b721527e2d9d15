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

"""The attention plan: what every layer needs from the mask, built once.

`LongformerEncoder` pads its hidden states once (`padded_length`), builds
one `AttentionPlan` from the padded mask and hands it to every block, as HF
pads once in `LongformerModel.forward` and Model Garden builds its masks
once with `EncoderScaffold(mask_cls=...)`. The plan holds the global slots,
the padding, and for each distinct window its layout (dense or blocked,
decided once from the static padded length) and float32 bias. Every shape
is static for a static input length; nothing depends on the mask values.

Legend: B batch, T padded length, W one-sided window, G global slots,
C blocks, b block size, K local keys per query.
"""
import math
from typing import Dict, NamedTuple, Optional, Sequence

import tensorflow as tf

from longformer.modeling import sliding_window

# Mask value of a global token (0 = padding, 1 = token): the original
# Longformer convention for `input_mask` with global_tokens='marked'.
GLOBAL_TOKEN = 2


class WindowPlan(NamedTuple):
  """The local attention of one window size.

  Attributes:
    dense: True for the dense [T, T] band, False for the blocked layout.
    bias: float32, dense [B, 1, T, T + G], blocked [B, 1, C, b, K + G]
      (see `sliding_window.window_bias`); no G columns without slots.
  """
  dense: bool
  bias: tf.Tensor


class AttentionPlan(NamedTuple):
  """Everything the attention layers need from the mask.

  Attributes:
    is_real: bool [B, T], False for padding (also the padding added here).
    slots: `sliding_window.GlobalSlots`, or None without global slots.
    global_key_bias: float32 [B, 1, 1, T], the global rows' key bias.
    windows: {one-sided window W: `WindowPlan`}.
  """
  is_real: tf.Tensor
  slots: Optional[sliding_window.GlobalSlots]
  global_key_bias: tf.Tensor
  windows: Dict[int, WindowPlan]

  @property
  def length(self) -> 'int | tf.Tensor':
    """T, the padded length: a Python int when static."""
    return sliding_window.static_or_dynamic_length(self.is_real)


def padded_length(seq_length: 'int | tf.Tensor',
                  one_sided_windows: Sequence[int]) -> 'int | tf.Tensor':
  """The length every layer can run at: T, or T rounded up to the blocks.

  A static T at most `DENSE_MAX_WINDOWS` times the smallest window runs
  dense in every layer and is not padded; any other T is rounded up to a
  multiple of every window's block size (see `sliding_window.block_layout`).
  """
  smallest = min(one_sided_windows)
  if sliding_window.use_dense_band(seq_length, smallest):
    return seq_length
  multiple = math.lcm(*(sliding_window.block_layout(w)[0]
                        for w in one_sided_windows))
  return seq_length + (-seq_length % multiple)


def pad_to(x: tf.Tensor, length: 'int | tf.Tensor') -> tf.Tensor:
  """Pads axis 1 of `x` with zeros at the end to `length`."""
  pad = length - sliding_window.static_or_dynamic_length(x)
  if isinstance(pad, int) and not pad:
    return x
  paddings = [[0, 0], [0, pad]] + [[0, 0]] * (len(x.shape) - 2)
  return tf.pad(x, paddings)


def is_marked_first(is_real: tf.Tensor, global_size: int) -> tf.Tensor:
  """bool [B, T]: the first `global_size` real tokens of each row."""
  rank = tf.cumsum(tf.cast(is_real, tf.int32), axis=1)  # 1 for the first.
  return tf.logical_and(is_real, rank <= global_size)


def build(mask: tf.Tensor, one_sided_windows: Sequence[int],
          global_size: int, global_tokens: str = 'marked') -> AttentionPlan:
  """The plan of a padded mask.

  Args:
    mask: int [B, T], T from `padded_length`: 0 = padding, 1 = token, and
      GLOBAL_TOKEN = global token with global_tokens='marked'.
    one_sided_windows: the W of every layer (repeats are fine).
    global_size: G, the static number of global slots per row.
    global_tokens: 'marked' (the tokens marked GLOBAL_TOKEN, the first G
      per row) or 'first' (the first G real tokens).

  Returns:
    `AttentionPlan`.
  """
  is_real = mask > 0
  slots = None
  key_is_open = is_real
  if global_size:
    if global_tokens == 'marked':
      is_marked = tf.equal(mask, GLOBAL_TOKEN)
    else:
      is_marked = is_marked_first(is_real, global_size)
    slots = sliding_window.global_slots(is_marked, global_size)
    # Global tokens are seen through the global keys instead.
    key_is_open = tf.logical_and(is_real, tf.logical_not(slots.is_global))
  length = sliding_window.static_or_dynamic_length(mask)
  windows = {}
  for w in sorted(set(one_sided_windows)):
    dense = sliding_window.use_dense_band(length, w)
    windows[w] = WindowPlan(dense=dense, bias=sliding_window.window_bias(
        key_is_open, w, dense, None if slots is None else slots.is_valid))
  return AttentionPlan(is_real=is_real, slots=slots,
                       global_key_bias=sliding_window.global_key_bias(is_real),
                       windows=windows)
