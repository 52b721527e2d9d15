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

"""`LongformerEncoder`: invariants, XLA, serialization, Model Garden hooks,
and errors."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

import longformer
from longformer.modeling import encoder as encoder_lib
from longformer.modeling import recompute as recompute_lib
from official.nlp.configs import encoders

# Same float32 math in a different order (XLA fusion, batch split):
# differences of a few ulp at outputs of magnitude ~1.
SAME_MATH_ATOL = 1e-5


def _tiny_encoder(**overrides):
  kwargs = dict(vocab_size=50, attention_window=[4, 6], global_attention_size=2,
                pad_token_id=1, hidden_size=16, num_layers=2,
                num_attention_heads=2, max_sequence_length=70,
                type_vocab_size=2, inner_dim=24, output_dropout=0.0,
                attention_dropout=0.0)
  kwargs.update(overrides)
  return longformer.LongformerEncoder(**kwargs)


def _batch(batch_size=3, seq_length=23, lengths=(23, 10, 4), seed=0):
  rng = np.random.default_rng(seed)
  mask = (np.arange(seq_length)[None] < np.array(lengths)[:, None]).astype(
      np.int32)
  ids = np.where(mask == 1, rng.integers(2, 50, (batch_size, seq_length)), 1)
  types = rng.integers(0, 2, (batch_size, seq_length)) * mask
  return dict(input_word_ids=tf.constant(ids, tf.int32),
              input_mask=tf.constant(mask),
              input_type_ids=tf.constant(types, tf.int32))


def test_output_shapes():
  encoder = _tiny_encoder()
  out = encoder(_batch())
  assert out['sequence_output'].shape == (3, 23, 16)
  assert out['pooled_output'].shape == (3, 16)
  assert [o.shape for o in out['encoder_outputs']] == [(3, 23, 16)] * 2


def test_appending_padding_leaves_real_tokens_unchanged():
  encoder = _tiny_encoder()
  short = _batch(seq_length=23)
  padded = {k: tf.pad(v, [[0, 0], [0, 17]],
                      constant_values=1 if k == 'input_word_ids' else 0)
            for k, v in short.items()}
  a = encoder(short)['sequence_output'].numpy()
  b = encoder(padded)['sequence_output'].numpy()[:, :23]
  np.testing.assert_allclose(b, a, atol=SAME_MATH_ATOL, rtol=0)


def test_splitting_the_batch_changes_nothing():
  encoder = _tiny_encoder()
  batch = _batch()
  whole = encoder(batch)['sequence_output'].numpy()
  parts = [encoder({k: v[i:i + 1] for k, v in batch.items()})
           ['sequence_output'].numpy() for i in range(3)]
  np.testing.assert_allclose(np.concatenate(parts), whole,
                             atol=SAME_MATH_ATOL, rtol=0)


def test_window_covering_sequence_without_global_is_full_attention():
  """With no global tokens and a window wider than the input, Longformer is
  BERT-style full attention: compare with Model Garden's own
  TransformerEncoderBlock holding the same weights."""
  from official.nlp.modeling import layers  # pylint: disable=g-import-not-at-top
  block = longformer.LongformerEncoderBlock(
      num_attention_heads=2, inner_dim=24, inner_activation='gelu',
      attention_window=64, global_attention_size=0, norm_epsilon=1e-5)
  bert_block = layers.TransformerEncoderBlock(
      num_attention_heads=2, inner_dim=24, inner_activation='gelu',
      norm_epsilon=1e-5)
  rng = np.random.default_rng(0)
  x = tf.constant(rng.normal(size=(2, 19, 16)), tf.float32)
  mask = np.ones((2, 19), np.int32)
  mask[1, 11:] = 0
  ours = block([x, tf.constant(mask)])
  full_mask = tf.constant(mask[:, None, :] * np.ones((1, 19, 1), np.int32))
  bert_block([x, full_mask])
  attn = block.attention_layer
  mha = bert_block._attention_layer  # pylint: disable=protected-access
  for src, dst in [(attn.projections['query'], mha._query_dense),  # pylint: disable=protected-access
                   (attn.projections['key'], mha._key_dense),  # pylint: disable=protected-access
                   (attn.projections['value'], mha._value_dense),  # pylint: disable=protected-access
                   (attn.output_dense, mha._output_dense)]:  # pylint: disable=protected-access
    dst.kernel.assign(src.kernel)
    dst.bias.assign(src.bias)
  pairs = [(block.attention_layer_norm, bert_block._attention_layer_norm),  # pylint: disable=protected-access
           (block.output_layer_norm, bert_block._output_layer_norm),  # pylint: disable=protected-access
           (block.intermediate_dense, bert_block._intermediate_dense),  # pylint: disable=protected-access
           (block.output_dense, bert_block._output_dense)]  # pylint: disable=protected-access
  for src, dst in pairs:
    for s, d in zip(src.weights, dst.weights):
      d.assign(s)
  theirs = bert_block([x, full_mask]).numpy()
  real = mask.astype(bool)
  np.testing.assert_allclose(ours.numpy()[real], theirs[real],
                             atol=SAME_MATH_ATOL, rtol=0)


def test_gradients_reach_every_weight():
  encoder = _tiny_encoder()
  batch = _batch()
  encoder(batch)
  with tf.GradientTape() as tape:
    out = encoder(batch, training=True)
    loss = tf.reduce_sum(out['sequence_output'] ** 2) + tf.reduce_sum(
        out['pooled_output'])
  grads = tape.gradient(loss, encoder.trainable_variables)
  missing = [v.name for v, g in zip(encoder.trainable_variables, grads)
             if g is None or not np.any(tf.convert_to_tensor(g).numpy())]
  # A key bias adds the same q.b to every score of a query, so its true
  # gradient is zero (HF's too); the folded global path drops it entirely.
  expected = [v.name for v in encoder.trainable_variables
              if v.name.endswith('key_global/bias:0')]
  assert missing == expected, f'no gradient for {missing}'


@pytest.mark.parametrize('seq_length,lengths', [(23, (23, 10, 4)),
                                                (9, (9, 3, 9))])
def test_xla_forward_and_backward_equal_eager(seq_length, lengths):
  encoder = _tiny_encoder()
  batch = _batch(seq_length=seq_length, lengths=lengths)
  encoder(batch)

  def forward_backward(inputs):
    with tf.GradientTape() as tape:
      out = encoder(inputs, training=False)
      loss = tf.reduce_sum(out['sequence_output'] ** 2) + tf.reduce_sum(
          out['pooled_output'])
    return out['sequence_output'], tape.gradient(loss,
                                                 encoder.trainable_variables)

  eager_out, eager_grads = forward_backward(batch)
  xla_out, xla_grads = tf.function(forward_backward, jit_compile=True)(batch)
  np.testing.assert_allclose(xla_out.numpy(), eager_out.numpy(),
                             atol=SAME_MATH_ATOL, rtol=0)
  for v, a, b in zip(encoder.trainable_variables, xla_grads, eager_grads):
    assert (a is None) == (b is None), v.name
    if a is None:
      continue  # key_global/bias, see test_gradients_reach_every_weight.
    a, b = tf.convert_to_tensor(a).numpy(), tf.convert_to_tensor(b).numpy()
    np.testing.assert_allclose(a, b, atol=1e-3 * max(1.0, np.abs(b).max()),
                               rtol=0, err_msg=v.name)


def test_config_round_trip_keeps_every_argument():
  encoder = _tiny_encoder(
      attention_window=[6, 2], global_attention_size=3, pad_token_id=0,
      inner_activation='relu', output_dropout=0.2, attention_dropout=0.3,
      initializer=tf_keras.initializers.TruncatedNormal(stddev=0.05),
      output_range=1, embedding_width=8, norm_first=True, norm_epsilon=1e-7,
      type_vocab_size=3, max_sequence_length=33, gradient_checkpointing=True,
      recompute_attention=False)
  config = encoder.get_config()
  assert config['attention_window'] == [6, 2]
  assert config['global_attention_size'] == 3
  assert config['norm_epsilon'] == 1e-7
  rebuilt = longformer.LongformerEncoder.from_config(config)
  assert rebuilt.get_config() == config
  expected_keys = {
      'vocab_size', 'attention_window', 'global_attention_size',
      'pad_token_id', 'hidden_size', 'num_layers', 'num_attention_heads',
      'max_sequence_length', 'type_vocab_size', 'inner_dim',
      'inner_activation', 'output_dropout', 'attention_dropout',
      'initializer', 'output_range', 'embedding_width', 'embedding_layer',
      'norm_first', 'norm_epsilon', 'gradient_checkpointing',
      'recompute_attention'}
  assert expected_keys <= set(config)


def test_block_config_round_trip():
  block = longformer.LongformerEncoderBlock(
      num_attention_heads=2, inner_dim=24, inner_activation='relu',
      attention_window=6, global_attention_size=2, output_dropout=0.1,
      attention_dropout=0.2, norm_first=True, norm_epsilon=1e-6,
      recompute_attention=False)
  config = block.get_config()
  assert longformer.LongformerEncoderBlock.from_config(
      config).get_config() == config


def test_output_range_keeps_first_tokens():
  full = _tiny_encoder()
  ranged = _tiny_encoder(output_range=1)
  batch = _batch()
  expected = full(batch)
  ranged(batch)
  ranged.set_weights(full.get_weights())
  out = ranged(batch)
  assert out['sequence_output'].shape == (3, 1, 16)
  np.testing.assert_allclose(out['sequence_output'].numpy(),
                             expected['sequence_output'].numpy()[:, :1],
                             atol=SAME_MATH_ATOL, rtol=0)
  np.testing.assert_allclose(out['pooled_output'].numpy(),
                             expected['pooled_output'].numpy(),
                             atol=SAME_MATH_ATOL, rtol=0)


def test_embedding_width_is_projected():
  """A narrow word table is projected to the hidden size before the
  blocks: zeroing the projection leaves only the position and type
  embeddings, so the word ids no longer matter."""
  encoder = _tiny_encoder(embedding_width=8)
  batch = _batch(lengths=(23, 23, 23))
  out = encoder(batch)
  assert encoder.get_embedding_table().shape == (50, 8)
  assert out['sequence_output'].shape == (3, 23, 16)
  projection = [v for v in encoder.weights
                if 'embedding_projection' in v.name]
  assert {tuple(v.shape) for v in projection} == {(8, 16), (16,)}
  other_ids = dict(batch, input_word_ids=tf.where(
      batch['input_mask'] > 0, 3, 1))
  assert np.abs(encoder(other_ids)['sequence_output'].numpy() -
                out['sequence_output'].numpy()).max() > 1e-3
  for v in projection:
    v.assign(tf.zeros_like(v))
  np.testing.assert_allclose(encoder(other_ids)['sequence_output'].numpy(),
                             encoder(batch)['sequence_output'].numpy(),
                             atol=SAME_MATH_ATOL, rtol=0)


def test_word_embeddings_input_uses_sequential_positions():
  encoder = _tiny_encoder()
  batch = _batch(lengths=(23, 23, 23))
  by_ids = encoder(batch)['sequence_output']
  embeddings = tf.gather(encoder.get_embedding_table(),
                         batch['input_word_ids'])
  by_embeddings = encoder(dict(input_word_embeddings=embeddings,
                               input_mask=batch['input_mask'],
                               input_type_ids=batch['input_type_ids']))
  np.testing.assert_allclose(by_embeddings['sequence_output'].numpy(),
                             by_ids.numpy(), atol=SAME_MATH_ATOL, rtol=0)


def test_model_garden_builds_it_from_encoder_config():
  config = encoders.EncoderConfig(
      type='any', any=longformer.LongformerEncoderConfig(
          vocab_size=50, hidden_size=16, num_layers=2, num_attention_heads=2,
          intermediate_size=24, max_position_embeddings=70,
          attention_window=[4, 6], global_attention_size=2))
  encoder = encoders.build_encoder(config)
  assert isinstance(encoder, longformer.LongformerEncoder)
  assert encoder.get_config()['attention_window'] == [4, 6]
  assert encoder.get_config()['norm_epsilon'] == 1e-5


def test_bert_classifier_wraps_it_with_symbolic_inputs():
  from official.nlp.modeling import models  # pylint: disable=g-import-not-at-top
  encoder = _tiny_encoder()
  classifier = models.BertClassifier(network=encoder, num_classes=3)
  batch = _batch()
  logits = classifier(batch).numpy()
  assert logits.shape == (3, 3)
  # Model Garden's default head (use_encoder_pooler=True): a linear layer
  # on the encoder's pooled output.
  pooled = encoder(batch)['pooled_output'].numpy()
  out = classifier.classifier.out_proj
  expected = pooled @ out.kernel.numpy() + out.bias.numpy()
  np.testing.assert_allclose(logits, expected, atol=SAME_MATH_ATOL, rtol=0)


def test_saved_model_reload_gives_same_outputs(tmp_path):
  encoder = _tiny_encoder()
  batch = _batch()
  expected = encoder(batch)['sequence_output'].numpy()
  module = tf.Module()
  module.encoder = encoder
  module.serve = tf.function(
      lambda ids, mask, types: encoder(dict(
          input_word_ids=ids, input_mask=mask,
          input_type_ids=types))['sequence_output'],
      input_signature=[tf.TensorSpec([None, 23], tf.int32)] * 3)
  tf.saved_model.save(module, str(tmp_path))
  reloaded = tf.saved_model.load(str(tmp_path))
  got = reloaded.serve(batch['input_word_ids'], batch['input_mask'],
                       batch['input_type_ids']).numpy()
  np.testing.assert_allclose(got, expected, atol=SAME_MATH_ATOL, rtol=0)


def test_position_ids_start_after_pad_token():
  ids = tf.constant([[5, 6, 7, 1, 1], [1, 1, 1, 1, 1]])
  got = encoder_lib.roberta_position_ids(ids, pad_token_id=1).numpy()
  # RoBERTa/HF numbering: real tokens from pad_token_id + 1, padding at
  # pad_token_id (transformers' create_position_ids_from_input_ids).
  np.testing.assert_array_equal(got, [[2, 3, 4, 1, 1], [1, 1, 1, 1, 1]])


@pytest.mark.parametrize('window,match', [
    (5, r'attention_window\[0\]=5 must be a positive even integer'),
    (0, r'attention_window\[0\]=0'),
    ([4, 4, 4], 'attention_window has 3 entries for num_layers=2'),
    ([4, 3], r'attention_window\[1\]=3'),
])
def test_bad_windows_are_clear_errors(window, match):
  with pytest.raises(ValueError, match=match):
    _tiny_encoder(attention_window=window)


def test_sequence_longer_than_position_table_is_an_error():
  encoder = _tiny_encoder(max_sequence_length=20)
  with pytest.raises(ValueError, match='exceeds the position table'):
    encoder(_batch(seq_length=23))


def test_sequence_that_fills_the_position_table_is_accepted():
  encoder = _tiny_encoder(max_sequence_length=25)  # 25 - (1 + 1) = 23 tokens.
  assert encoder(_batch(seq_length=23))['sequence_output'].shape[1] == 23


def test_bad_pad_token_is_an_error():
  with pytest.raises(ValueError, match='pad_token_id=50'):
    _tiny_encoder(pad_token_id=50)


def _training_gradients(encoder, batch, jit_compile):
  """Gradients of a training-mode loss, in a tf.function (XLA or not)."""
  def step(inputs):
    with tf.GradientTape() as tape:
      out = encoder(inputs, training=True)
      loss = tf.reduce_sum(out['sequence_output'] ** 2) + tf.reduce_sum(
          out['pooled_output'])
    return tape.gradient(loss, encoder.trainable_variables)
  return tf.function(step, jit_compile=jit_compile)(batch)


@pytest.fixture(scope='module', name='plain_gradients')
def _plain_gradients():
  """jit_compile -> (plain encoder, its gradients): computed once each."""
  cache = {}

  def get(jit_compile):
    if jit_compile not in cache:
      tf.random.set_seed(2)  # The weights the bar below was checked on.
      plain = _tiny_encoder(recompute_attention=False)
      plain(_batch())
      cache[jit_compile] = (plain, _training_gradients(plain, _batch(),
                                                       jit_compile))
    return cache[jit_compile]
  return get


@pytest.mark.parametrize('jit_compile', [False, True])
@pytest.mark.parametrize('recompute', ['gradient_checkpointing',
                                       'recompute_attention'])
def test_recomputation_gives_the_same_gradients(plain_gradients, jit_compile,
                                                recompute):
  # XLA fuses the recomputed block differently: float32 rounding differs
  # by up to ~1e-4 of the largest gradient (layer norm gammas sum over all
  # tokens), so the bar is on the whole gradient's norm.
  plain, plain_grads = plain_gradients(jit_compile)
  checkpointed = _tiny_encoder(**{'recompute_attention': False,
                                  recompute: True})
  batch = _batch()
  checkpointed(batch)
  checkpointed.set_weights(plain.get_weights())

  for v, a, b in zip(plain.trainable_variables, plain_grads,
                     _training_gradients(checkpointed, batch, jit_compile)):
    assert (a is None) == (b is None), v.name
    if a is not None:
      a, b = tf.convert_to_tensor(a).numpy(), tf.convert_to_tensor(b).numpy()
      if jit_compile:
        assert np.linalg.norm(b - a) <= 1e-4 * max(
            1.0, np.linalg.norm(a)), (v.name, np.abs(b - a).max())
      else:  # Without XLA the same ops run: every element must agree.
        np.testing.assert_allclose(
            b, a, atol=1e-4 * max(1.0, np.abs(a).max()), rtol=0,
            err_msg=v.name)



@pytest.mark.parametrize('options', [
    {'recompute_attention': True, 'global_tokens': 'marked'},
    {'gradient_checkpointing': True}])
def test_keras_model_saves_and_reloads(tmp_path, options):
  """A Keras model holding the encoder saves as a SavedModel (what Model
  Garden's export does) with every memory option, and the reloaded model,
  loaded without `longformer`'s Python classes, gives the same outputs."""
  encoder = _tiny_encoder(**options)
  model = tf_keras.Model(encoder.inputs,
                         encoder(encoder.inputs)['sequence_output'])
  batch = _batch()
  expected = model(batch).numpy()
  model.save(str(tmp_path), save_format='tf')
  reloaded = tf.saved_model.load(str(tmp_path))
  got = reloaded.signatures['serving_default'](**batch)
  np.testing.assert_allclose(list(got.values())[0].numpy(), expected,
                             atol=SAME_MATH_ATOL, rtol=0)


@pytest.mark.parametrize('policy,options', [
    ('mixed_bfloat16', {'recompute_attention': True}),
    ('mixed_bfloat16', {'gradient_checkpointing': True}),
    ('mixed_float16', {'recompute_attention': True,
                       'gradient_checkpointing': True}),
])
def test_mixed_precision_training_compiles_with_xla(policy, options):
  tf_keras.mixed_precision.set_global_policy(policy)
  try:
    encoder = _tiny_encoder(**options)
    batch = _batch()
    encoder(batch)

    @tf.function(jit_compile=True)
    def grads(inputs):
      with tf.GradientTape() as tape:
        out = encoder(inputs, training=True)['sequence_output']
        loss = tf.reduce_sum(tf.cast(out, tf.float32) ** 2)
      return tape.gradient(loss, encoder.trainable_variables)

    for variable, grad in zip(encoder.trainable_variables, grads(batch)):
      if grad is not None:
        assert np.isfinite(tf.convert_to_tensor(grad).numpy()).all(), (
            variable.name)
  finally:
    tf_keras.mixed_precision.set_global_policy('float32')


@pytest.mark.parametrize('recompute', ['gradient_checkpointing',
                                       'recompute_attention'])
def test_recomputation_with_dropout_gives_the_true_gradient(monkeypatch,
                                                            recompute):
  """With dropout on, the backward pass must redraw the forward pass's
  masks. With the seed fixed, the forward pass is a deterministic function
  of the weights; its directional derivative by central differences must
  equal the recomputed gradient along the same direction (a redrawn mask
  is a different function, off by O(1))."""
  monkeypatch.setattr(recompute_lib, 'draw_seed',
                      lambda: tf.constant(1234, tf.int32))
  tf.random.set_seed(0)  # The weights: the bar below is for these.
  # No global tokens: the global rows' dropout is not recomputed (it is kept
  # as in the plain path) and would draw new masks at each call.
  encoder = _tiny_encoder(attention_dropout=0.3, output_dropout=0.0,
                          global_attention_size=0, **{recompute: True})
  batch = _batch()
  encoder(batch)
  variables = encoder.trainable_variables
  rng = np.random.default_rng(0)
  direction = [rng.normal(size=v.shape).astype(np.float32) for v in variables]

  def loss():
    out = encoder(batch, training=True)['sequence_output']
    return tf.reduce_sum(out * tf.sin(tf.range(16, dtype=tf.float32)))

  with tf.GradientTape() as tape:
    value = loss()
  grads = tape.gradient(value, variables)
  along = sum(float(tf.reduce_sum(tf.convert_to_tensor(g) * d))
              for g, d in zip(grads, direction) if g is not None)
  assert float(loss()) == pytest.approx(float(value), abs=1e-5)  # Same masks.
  eps = 1e-4  # Central differences: float32 rounding ~1e-2 of the value.
  originals = [v.numpy() for v in variables]

  def loss_at(step):
    for v, original, d in zip(variables, originals, direction):
      v.assign(original + step * d)
    return float(loss())

  finite_difference = (loss_at(eps) - loss_at(-eps)) / (2 * eps)
  loss_at(0.0)
  assert along == pytest.approx(finite_difference, rel=1e-2)
