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

"""Every static length with an unknown batch, through the three ways users
give one: `tf_keras.Input(shape=(T,))`, `tf.function(input_signature=[None,
T])` and the same under `jit_compile`.

The window is 16 (8 on each side, blocks of 4): lengths 1..48 cover the
dense band (T <= 24), the blocked layout, block multiples and every
remainder; every one through `input_signature`, a subset through the
slower Keras and XLA paths. Before the attention plan, lengths up to 1.5 windows that are
not multiples of window / 4 crashed (`Input to reshape ... requires a
multiple of`).
"""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

import longformer
from longformer.modeling import sliding_window

WINDOW = 16
# Same float32 math, other shapes and fusion: a few ulp at outputs ~1.
ATOL = 1e-5


@pytest.fixture(scope='module')
def encoder():
  encoder = longformer.LongformerEncoder(
      vocab_size=30, attention_window=WINDOW, global_attention_size=2,
      hidden_size=8, num_layers=1, num_attention_heads=2,
      max_sequence_length=60, inner_dim=8, output_dropout=0.0,
      attention_dropout=0.0)
  return encoder


def _inputs(length):
  rng = np.random.default_rng(length)
  mask = np.ones((2, length), np.int32)
  mask[1, max(1, length - 3):] = 0
  ids = np.where(mask == 1, rng.integers(3, 30, (2, length)), 1)
  return dict(input_word_ids=tf.constant(ids, tf.int32),
              input_mask=tf.constant(mask),
              input_type_ids=tf.zeros((2, length), tf.int32))


# Every remainder modulo the block (4) on both sides of the dense limit (24),
# and the ends: for Keras inputs and XLA, whose tracing is slower.
_SOME_LENGTHS = (1, 2, 3, 5, 8, 13, 22, 23, 24, 25, 26, 27, 28, 30, 41, 48)


@pytest.mark.parametrize('lengths,paths', [
    (range(1, 3 * WINDOW + 1), ('input_signature',)),
    (_SOME_LENGTHS, ('keras_input', 'jit_compile'))],
                         ids=['every_length', 'keras_and_xla'])
def test_static_lengths_with_unknown_batch(encoder, lengths, paths):
  for length in lengths:
    inputs = _inputs(length)
    expected = encoder(inputs)['sequence_output'].numpy()
    if 'keras_input' in paths:
      symbolic = {name: tf_keras.Input(shape=(length,), dtype=tf.int32,
                                       name=name) for name in inputs}
      model = tf_keras.Model(symbolic, encoder(symbolic))
    spec = {name: tf.TensorSpec([None, length], tf.int32, name)
            for name in inputs}
    call = lambda x: encoder(x)['sequence_output']
    graph = tf.function(call, input_signature=[spec])
    xla = tf.function(call, input_signature=[spec], jit_compile=True)
    run = {'keras_input': lambda: model(inputs)['sequence_output'],
           'input_signature': lambda: graph(inputs),
           'jit_compile': lambda: xla(inputs)}
    for path in paths:
      output = run[path]()
      assert output.shape == expected.shape, (length, path)
      np.testing.assert_allclose(output.numpy(), expected, atol=ATOL, rtol=0,
                                 err_msg=f'length {length}, {path}')


@pytest.mark.parametrize('length', [24, 40, None])
def test_window_scores_keep_static_shapes_with_unknown_batch(length):
  """The blocked window layout keeps every known dimension under a graph
  signature with an unknown batch (and an unknown length): Keras graphs and
  serving signatures see [B, N, C, b, K], not an unknown shape."""
  w = 4  # Blocks of 2 tokens, 5 blocks of keys: K = 10.
  spec = tf.TensorSpec([None, 2, length, 3], tf.float32)

  @tf.function(input_signature=[spec, spec])
  def scores(query, key):
    return sliding_window.local_scores(query, key, w, dense=False)

  shape = scores.get_concrete_function().structured_outputs.shape.as_list()
  blocks = None if length is None else length // 2
  assert shape == [None, 2, blocks, 2, 10]
