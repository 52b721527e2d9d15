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

"""A Longformer checkpoint -> the same with a longer position table.

allenai made RoBERTa long by copying its 512 learned positions; a Longformer
is made longer the same way (`position_table.extend_position_table`, the
helper the RoBERTa converter uses): with max_position_embeddings P (rows 0
and 1 unused by real tokens, RoBERTa's offset) and L = P - 2 learned rows,
new row 2 + i is old row 2 + i % L, so rows 0 .. P-1 stay as they were and
every longer position repeats the learned ones. A new length that is not a
multiple of L ends in a partial copy (the first rows of the block), as
allenai's loop does. Every other weight, the masked-LM head included, is
written unchanged.

The source is a checkpoint prefix with `encoder_config.yaml` beside it (what
the converters write) or a `train.py` model_dir (latest checkpoint and
`params.yaml`). The encoder and a `masked_lm` head are carried; the
optimizer state and step of a model_dir are left behind (counted), and any
other value (e.g. a classifier's head under `model/`) is refused by name,
never dropped. The output set (`<prefix>.index`, `<prefix>.data-*`,
`encoder_config.yaml` with the new max_position_embeddings and a comment
saying what was done) is written by `roberta_to_longformer.write_checked`:
staged, restored into a fresh model and checked (every weight equals the
source's or its copied row; outputs within the old length equal the old
encoder's), then published; an existing set is refused unless `overwrite`.
"""
import os
from typing import Dict, List, NamedTuple

from absl import logging
import numpy as np
import tensorflow as tf

from longformer.conversion import conversion_check
from longformer.conversion import hf_config as hf_config_lib
from longformer.conversion import masked_lm_conversion
from longformer.conversion import position_table
from longformer.conversion import roberta_to_longformer
from longformer.files import staged_output
from longformer.modeling import encoder as encoder_lib

# Same weights on the same input: only the order of float sums may differ.
OUTPUT_TOLERANCE = 1e-6
_VARIABLE_SUFFIX = '/.ATTRIBUTES/VARIABLE_VALUE'
_SLOT_MARKER = '/.OPTIMIZER_SLOT/'
_CARRIED_ROOTS = ('encoder/', 'masked_lm/')
# What Model Garden's trainer saves besides the model: left behind.
_TRAINING_STATE_ROOTS = ('optimizer/', 'global_step/', 'save_counter/')
_MAX_LISTED = 10


class Extended(NamedTuple):
  """What an extension wrote and measured."""
  paths: List[str]
  old_rows: int  # max_position_embeddings of the source.
  new_rows: int  # max_position_embeddings written.
  copies: str  # How the new rows were filled, e.g. '3 copies'.
  left_behind: int  # Optimizer-state and step values not carried.
  diffs: Dict[str, float]  # Max abs output diffs, old vs new encoder.
  check_shape: tuple  # (batch, length) of the output check.


def _checkpoint_of(source: str) -> str:
  """Refuses a source that holds no checkpoint, naming what to pass."""
  if not tf.io.gfile.isdir(source) and not tf.io.gfile.exists(
      source + '.index'):
    raise ValueError(
        f'No checkpoint at {source} (no {source}.index): pass a checkpoint '
        'prefix with encoder_config.yaml beside it (a converter\'s '
        '--output_path) or a train.py model_dir.')
  return source


def longer_config(encoder_config, max_seq_length: int):
  """The encoder config with a table for `max_seq_length` tokens.

  Raises:
    ValueError: max_seq_length not longer than the source's.
  """
  offset = encoder_lib.first_real_position_id(encoder_config.pad_token_id)
  old_tokens = hf_config_lib.max_input_tokens(
      encoder_config.max_position_embeddings, encoder_config.pad_token_id)
  if isinstance(max_seq_length, bool) or not isinstance(
      max_seq_length, int) or max_seq_length <= old_tokens:
    raise ValueError(
        f'--max_seq_length={max_seq_length} must be an integer above the '
        f'checkpoint\'s {old_tokens} tokens (max_position_embeddings='
        f'{encoder_config.max_position_embeddings}); this tool only makes '
        'the table longer.')
  return encoder_config.replace(
      max_position_embeddings=max_seq_length + offset)


def _count_carried(checkpoint: str) -> tuple:
  """(values under encoder/ and masked_lm/, training-state values).

  Raises:
    ValueError: the checkpoint holds other values, which would be dropped.
  """
  carried, training, other = 0, 0, []
  for name, _ in tf.train.list_variables(checkpoint):
    if not name.endswith(_VARIABLE_SUFFIX):
      continue
    if _SLOT_MARKER in name or name.startswith(_TRAINING_STATE_ROOTS):
      training += 1
    elif name.startswith(_CARRIED_ROOTS):
      carried += 1
    else:
      other.append(name[:-len(_VARIABLE_SUFFIX)])
  if other:
    listed = ', '.join(other[:_MAX_LISTED]) + (
        ', ...' if len(other) > _MAX_LISTED else '')
    raise ValueError(
        f'{checkpoint} holds {len(other)} values outside the encoder and '
        f'its masked-LM head, which this tool does not carry: {listed}. '
        'Extend the pretrained (encoder or masked-LM) checkpoint, then '
        'fine-tune the task head on it.')
  return carried, training


def _variables(encoder, head) -> list:
  """The encoder's and head's variables, in build order."""
  return encoder.variables + (head.variables if head is not None else [])


def read_model(source: str):
  """(checkpoint, encoder config, epsilon, encoder, head or None, values
  left behind), every value of the encoder and head restored.

  Raises:
    ValueError: no checkpoint or YAML, values that would be dropped, or a
      checkpoint that does not fit the YAML's encoder.
  """
  checkpoint, config, epsilon = roberta_to_longformer.read_source(
      _checkpoint_of(source))
  with_head = roberta_to_longformer.has_masked_lm(checkpoint)
  encoder, head = roberta_to_longformer.build(config, with_head, epsilon)
  carried, left_behind = _count_carried(checkpoint)
  unique = len({id(v) for v in _variables(encoder, head)})
  try:
    status = tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
        encoder, head)).read(checkpoint)
    status.expect_partial().assert_existing_objects_matched()
  except (AssertionError, ValueError) as e:
    raise ValueError(f'{checkpoint} does not fit the encoder its YAML '
                     f'describes: {str(e)[:2000]}') from e
  if carried != unique:
    raise ValueError(
        f'{checkpoint} holds {carried} encoder and head values, the encoder '
        f'its YAML describes has {unique}; pass the YAML written with '
        'this checkpoint.')
  return checkpoint, config, epsilon, encoder, head, left_behind


def _copy_weights(source, target, table: np.ndarray) -> None:
  """Assigns every target variable its source value, the table `table`."""
  (encoder, head), (new_encoder, new_head) = source, target
  positions = new_encoder.position_embedding_layer.embeddings
  for old, new in zip(_variables(encoder, head), _variables(new_encoder,
                                                             new_head)):
    if old.name.split('/', 1)[-1] != new.name.split('/', 1)[-1]:
      raise ValueError(f'Internal: variable {old.name} meets {new.name}.')
    new.assign(table if new is positions else old)


def _check(prefix, config, epsilon, source, table, batch) -> Dict[str, float]:
  """The written values are the source's (the table: `table`) and the
  restored encoder computes the source's outputs on `batch`."""
  encoder, head = source
  restored = roberta_to_longformer.restore(prefix, config, head is not None,
                                           epsilon)
  positions = restored[0].position_embedding_layer.embeddings
  for old, new in zip(_variables(encoder, head), _variables(*restored)):
    expected = table if new is positions else old.numpy()
    if not np.array_equal(new.numpy(), expected):
      raise ValueError(f'Self-check FAILED: {new.name} differs from what '
                       'was meant to be written; nothing written.')
  ours, theirs = restored[0](batch, training=False), encoder(batch,
                                                             training=False)
  diffs = {name: float(np.abs(ours[name].numpy() - theirs[name].numpy()).max())
           for name in ('sequence_output', 'pooled_output')}
  for i, (a, b) in enumerate(zip(ours['encoder_outputs'],
                                 theirs['encoder_outputs'])):
    diffs[f'encoder_outputs[{i}]'] = float(np.abs(a.numpy() - b.numpy()).max())
  if not max(diffs.values()) <= OUTPUT_TOLERANCE:
    raise ValueError(f'Self-check FAILED: outputs within the old length '
                     f'differ by more than {OUTPUT_TOLERANCE}: {diffs}; '
                     'nothing written.')
  return diffs


def _note(source, old_rows, new_rows, offset, copies) -> str:
  return (f'Positions extended by utils/extend_positions.py from {source}:\n'
          f'max_position_embeddings {old_rows} -> {new_rows}; rows 0..'
          f'{offset - 1} kept, rows {offset}..{new_rows - 1} are the '
          f'{old_rows - offset} learned rows {offset}..{old_rows - 1} '
          f'repeated ({copies}); every other weight unchanged.')


def extend(source: str, output_path: str, max_seq_length: int,
           overwrite: bool = False, check_batch_size: int = 2,
           check_seq_length: int = 0) -> Extended:
  """Writes the source checkpoint with a table for `max_seq_length` tokens.

  Args: as the CLI's flags (`check_seq_length` 0: the old length, at most
    128).

  Raises:
    ValueError: a bad source, flag or check length, an existing output set
      without `overwrite`, or a failed self-check; nothing was written.
  """
  if check_batch_size < 1:
    raise ValueError(f'--check_batch_size={check_batch_size} must be at '
                     'least 1.')
  staged_output.check_output(
      os.path.dirname(os.path.abspath(output_path)),
      roberta_to_longformer.output_patterns(output_path), overwrite)
  checkpoint, config, epsilon, encoder, head, left_behind = read_model(
      source)
  new_config = longer_config(config, max_seq_length)
  offset = encoder_lib.first_real_position_id(config.pad_token_id)
  old_tokens = config.max_position_embeddings - offset
  length = check_seq_length or min(old_tokens, 128)
  if not 0 < length <= old_tokens:
    raise ValueError(f'--check_seq_length={length} must be in [1, '
                     f'{old_tokens}] (the checkpoint\'s length).')
  table = position_table.extend_position_table(
      encoder.position_embedding_layer.embeddings.numpy(),
      config.pad_token_id, max_seq_length)
  copies = position_table.describe_copies(old_tokens, max_seq_length)
  logging.info('Read %s; position table %d -> %d rows (%s of the learned '
               'rows).', checkpoint, config.max_position_embeddings,
               new_config.max_position_embeddings, copies)
  target = roberta_to_longformer.build(new_config, head is not None, epsilon)
  _copy_weights((encoder, head), target, table)
  batch = conversion_check.random_batch(config, check_batch_size, length)
  paths, diffs = roberta_to_longformer.write_checked(
      *target, new_config, output_path, overwrite,
      lambda prefix: _check(prefix, new_config, epsilon, (encoder, head),
                            table, batch),
      _note(checkpoint, config.max_position_embeddings,
            new_config.max_position_embeddings, offset, copies))
  return Extended(paths, config.max_position_embeddings,
                  new_config.max_position_embeddings, copies, left_behind,
                  diffs, (check_batch_size, length))
