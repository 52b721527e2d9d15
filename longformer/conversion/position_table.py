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

"""A longer position table made of copies of the learned rows.

allenai's `convert_model_to_long` recipe: the learned rows (after RoBERTa's
offset, pad_token_id + 1 = 2 rows that no real token uses) are copied again
and again until the new table is full; the last copy is cut short when the
new length is not a multiple of the learned one (allenai's loop does the
same). `roberta_conversion` (RoBERTa, 512 -> 4,096 tokens) and
`extend_positions` (a Longformer, e.g. 4,096 -> 16,384 tokens) both use it.
Shapes: P rows of the old table, D hidden size, T new tokens.
"""
import numpy as np

from longformer.modeling import encoder as encoder_lib


def extend_position_table(table: np.ndarray, pad_token_id: int,
                          max_seq_length: int) -> np.ndarray:
  """Copies the learned positions until they cover max_seq_length tokens.

  Args:
    table: float [P, D], the position embeddings; rows 0..pad_token_id are
      never used by a real token.
    pad_token_id: the padding id (1 in RoBERTa and Longformer).
    max_seq_length: T, tokens the new table must hold.

  Returns:
    float [T + pad_token_id + 1, D]: rows below the offset copied as they
    are; row offset + i is the old row offset + i % (P - offset).
  """
  offset = encoder_lib.first_real_position_id(pad_token_id)
  learned = table[offset:]  # [P - offset, D]
  rows = np.arange(max_seq_length) % learned.shape[0]
  return np.concatenate([table[:offset], learned[rows]])  # [T + offset, D]


def describe_copies(learned_rows: int, max_seq_length: int) -> str:
  """'3 copies' or '3 copies + the first 20 rows': how the table is filled.

  Args:
    learned_rows: rows of the old table after the offset (P - offset).
    max_seq_length: T, as in `extend_position_table`.
  """
  copies, remainder = divmod(max_seq_length, learned_rows)
  text = f'{copies} cop{"y" if copies == 1 else "ies"}'
  return text + (f' + the first {remainder} rows' if remainder else '')
