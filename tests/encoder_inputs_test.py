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

"""Bad inputs to `LongformerEncoder` are clear errors, eager and in graphs.

Value checks are TF assertions (they compile away under XLA, where the
documented behaviour holds; `global_attention_test` pins that down).
"""
import numpy as np
import pytest
import tensorflow as tf

import longformer


def _encoder(**overrides):
  kwargs = dict(vocab_size=50, attention_window=4, global_attention_size=2,
                hidden_size=16, num_layers=1, num_attention_heads=2,
                max_sequence_length=40, type_vocab_size=1, inner_dim=24)
  kwargs.update(overrides)
  return longformer.LongformerEncoder(**kwargs)


def _batch(seq_length=12, **overrides):
  ids = np.full((2, seq_length), 7, np.int32)
  mask = np.ones((2, seq_length), np.int32)
  mask[1, 8:] = 0
  ids[1, 8:] = 1
  batch = dict(input_word_ids=ids, input_mask=mask,
               input_type_ids=np.zeros((2, seq_length), np.int32))
  batch.update(overrides)
  return batch


def _raises_in_eager_and_graph(encoder, batch, match):
  with pytest.raises(tf.errors.InvalidArgumentError, match=match):
    encoder(batch)
  with pytest.raises(tf.errors.InvalidArgumentError, match=match):
    tf.function(lambda x: encoder(x))(batch)


@pytest.mark.parametrize('bad_type', [1, -1])
def test_token_type_outside_the_table_is_an_error(bad_type):
  """Model Garden pair data carry segment id 1; longformer-base has one
  token type. A one-hot lookup would silently give a zero embedding."""
  types = np.zeros((2, 12), np.int32)
  types[0, 5:] = bad_type
  _raises_in_eager_and_graph(_encoder(), _batch(input_type_ids=types),
                             r'input_type_ids must be in \[0, 1\)')


@pytest.mark.parametrize('bad_id', [50, -3])
def test_word_id_outside_the_vocabulary_is_an_error(bad_id):
  ids = _batch()['input_word_ids'].copy()
  ids[0, 3] = bad_id
  _raises_in_eager_and_graph(_encoder(), _batch(input_word_ids=ids),
                             r'input_word_ids must be in \[0, 50\)')


@pytest.mark.parametrize('mask_value,match', [
    (-10000, 'additive mask'),  # 0 = token, -10000 = padding.
    (-1, 'additive mask'),
    (3, r'0 \(padding\) or 1 \(token\)'),
])
def test_undocumented_input_mask_values_are_errors(mask_value, match):
  mask = _batch()['input_mask'].copy()
  mask[1, 8:] = mask_value
  _raises_in_eager_and_graph(_encoder(), _batch(input_mask=mask), match)


def test_fractional_float_mask_is_an_error():
  mask = _batch()['input_mask'].astype(np.float32)
  mask[0, 2] = 0.5
  with pytest.raises(tf.errors.InvalidArgumentError, match='input_mask'):
    _encoder()(_batch(input_mask=mask))


def test_mask_value_two_needs_the_marked_mode():
  mask = _batch()['input_mask'].copy()
  mask[0, 4] = 2
  _raises_in_eager_and_graph(_encoder(), _batch(input_mask=mask),
                             'global_tokens=marked')
  # The same mask is the documented convention in 'marked' mode.
  out = _encoder(global_tokens='marked')(_batch(input_mask=mask))
  assert out['sequence_output'].shape == (2, 12, 16)


def test_global_mark_on_padding_is_an_error():
  global_mask = np.zeros((2, 12), np.int32)
  global_mask[1, 10] = 1  # Row 1 is padding from position 8.
  _raises_in_eager_and_graph(
      _encoder(), _batch(global_attention_mask=global_mask),
      'marks a padding token')


def test_global_attention_mask_needs_a_zero_one_input_mask():
  mask = _batch()['input_mask'].copy()
  mask[0, 0] = 2
  _raises_in_eager_and_graph(
      _encoder(global_tokens='marked'),
      _batch(input_mask=mask,
             global_attention_mask=np.zeros((2, 12), np.int32)),
      'when global_attention_mask is given')


def test_more_marked_tokens_than_slots_is_an_error():
  mask = _batch()['input_mask'].copy()
  mask[0, [1, 5, 9]] = 2  # 3 > global_attention_size = 2.
  _raises_in_eager_and_graph(_encoder(global_tokens='marked'),
                             _batch(input_mask=mask),
                             'global_attention_size=2')


def test_empty_sequence_is_an_error():
  with pytest.raises(ValueError, match='sequence length is 0'):
    _encoder()(_batch(seq_length=0))


def test_unknown_length_beyond_the_position_table_is_an_error():
  encoder = _encoder()
  encoder(_batch())
  graph = tf.function(lambda x: encoder(x), input_signature=[{
      k: tf.TensorSpec([None, None], tf.int32) for k in _batch()}])
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match=r'length must be in \[1, 38\]'):
    graph(_batch(seq_length=39))


def test_hf_input_name_instead_of_ours_is_an_error():
  """Unknown keys are ignored, so HF's input_ids alone lacks input_word_ids."""
  batch = _batch()
  batch['input_ids'] = batch.pop('input_word_ids')
  with pytest.raises(ValueError, match=r"need input_mask and input_word_ids.*"
                     r"'input_ids'"):
    _encoder()(batch)


def test_bad_global_tokens_mode_is_an_error():
  with pytest.raises(ValueError, match="global_tokens='question'"):
    _encoder(global_tokens='question')


def test_extra_input_keys_are_ignored():
  """As Model Garden's encoders (BertPretrainerV2 passes its whole dict)."""
  encoder = _encoder()
  batch = _batch()
  expected = encoder(batch)['sequence_output'].numpy()
  extra = dict(batch, masked_lm_positions=np.zeros((2, 3), np.int32),
               masked_lm_ids=np.zeros((2, 3), np.int32))
  np.testing.assert_array_equal(
      encoder(extra)['sequence_output'].numpy(), expected)


@pytest.mark.parametrize('missing', ['input_mask', 'input_word_ids'])
def test_missing_required_input_is_an_error(missing):
  batch = _batch(masked_lm_positions=np.zeros((2, 3), np.int32))
  del batch[missing]
  with pytest.raises(ValueError, match=f'need input_mask and input_word_ids.*'
                     f'got keys'):
    _encoder()(batch)


def test_bool_masks_equal_int_masks():
  encoder = _encoder()
  batch = _batch()
  global_mask = np.zeros_like(batch['input_mask'])
  global_mask[:, [0, 5]] = 1
  expected = encoder(dict(batch, global_attention_mask=global_mask))
  got = encoder(dict(batch, input_mask=batch['input_mask'].astype(bool),
                     global_attention_mask=global_mask.astype(bool)))
  np.testing.assert_array_equal(got['sequence_output'].numpy(),
                                expected['sequence_output'].numpy())


@pytest.mark.parametrize('key,value,match', [
    ('input_mask', np.ones((2, 10), np.int32),
     r'disagree on the length.*input_mask \(2, 10\).*input_word_ids '
     r'\(2, 12\)'),
    ('input_type_ids', np.zeros((3, 12), np.int32),
     r'disagree on the batch size.*input_type_ids \(3, 12\)'),
    ('input_mask', np.ones((2, 12, 1), np.int32),
     r'input_mask must have rank 2.*input_mask \(2, 12, 1\)'),
    ('global_attention_mask', np.zeros((2, 11), np.int32),
     r'global_attention_mask \(2, 11\)'),
])
def test_inputs_whose_shapes_disagree_are_named(key, value, match):
  with pytest.raises(ValueError, match=match):
    _encoder()(_batch(**{key: value}))


def test_dynamic_shapes_that_disagree_are_an_error():
  encoder = _encoder()
  spec = tf.TensorSpec([None, None], tf.int32)
  run = tf.function(lambda ids, mask: encoder(dict(
      input_word_ids=ids, input_mask=mask,
      input_type_ids=tf.zeros_like(ids)))['sequence_output'],
                    input_signature=[spec, spec])
  batch = _batch()
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match=r'and input_mask disagree on \[batch, length\]'):
    run(batch['input_word_ids'], batch['input_mask'][:, :10])


@pytest.mark.parametrize('window', [2.0, '8', None])
def test_non_integer_window_is_a_clear_error(window):
  with pytest.raises(ValueError, match='must be a positive even integer'):
    _encoder(attention_window=window)
