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

"""The TensorFlow encoders `run_one.py` times: ours and the original port.

Each builder returns a `Step`: the timed function (forward, or forward +
backward of the sum of sequence_output w.r.t. every weight) and, for
`--measure_error`, a function giving the max abs difference of this
encoder's sequence_output to a float32 twin with the same weights.

`args` is `run_one.py`'s parsed flags (seq_length, num_layers,
attention_window, dtype, mode, jit_compile, threads, seed, ...).
"""
from typing import Callable, Dict, NamedTuple

import model_sizes as constants


class Step(NamedTuple):
  """A timed step and the precision check of the same model and inputs."""
  run: Callable[[], None]
  max_abs_diff_vs_float32: Callable[[], float]


def configure_tensorflow(threads: int):
  """Imports TensorFlow with `threads` intra-op and one inter-op thread."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(threads)
  tf.config.threading.set_inter_op_parallelism_threads(1)
  return tf


def global_positions(args, seq_length: int):
  """The global tokens: the first --global_count, or as many evenly spread
  (the middle of each of --global_count equal parts) when marked."""
  count = min(args.global_count, seq_length)
  if args.global_tokens == 'first':
    return list(range(count))
  stride = seq_length // count
  return [i * stride + stride // 2 for i in range(count)]


def encoder_inputs(tf, args, seq_length: int) -> Dict[str, object]:
  """Random real token ids: int32 [1, seq_length] each; mask all ones, or
  with --global_tokens=marked 2 at --global_count evenly spread tokens."""
  shape = (1, seq_length)
  word_ids = tf.random.stateless_uniform(
      shape, seed=(args.seed, 1), minval=constants.PAD_TOKEN_ID + 1,
      maxval=constants.VOCAB_SIZE, dtype=tf.int32)
  mask = tf.ones(shape, tf.int32)
  if args.global_tokens == 'marked':
    positions = global_positions(args, seq_length)
    is_global = [[i in positions for i in range(seq_length)]]
    mask += tf.cast(is_global, tf.int32)
  return {'input_word_ids': word_ids,
          'input_mask': mask,
          'input_type_ids': tf.zeros(shape, tf.int32)}


def build_under_policy(keras, build: Callable[[], object], policy: str,
                       inputs: Dict[str, object]):
  """Builds an encoder and creates its weights under the Keras `policy`.

  Keras layers create sublayers in `build`, at the first call, so the first
  call (eager, on `inputs`) must run under the same policy as the
  constructor.
  """
  previous = keras.mixed_precision.global_policy()
  keras.mixed_precision.set_global_policy(policy)
  try:
    encoder = build()
    encoder(inputs)  # Creates the weights (eagerly, outside the timing).
    return encoder
  finally:
    keras.mixed_precision.set_global_policy(previous)


def make_step(tf, keras, args, build: Callable[[], object],
              jit_compile: bool) -> Step:
  """Builds an encoder under the --dtype policy and its timed step.

  Args:
    tf: the TensorFlow module.
    keras: tf_keras (or `tf.keras` where that is tf_keras).
    args: run_one.py's flags.
    build: returns a new, unbuilt encoder under the current policy.
    jit_compile: compile the step with XLA.
  """
  tf.random.set_seed(args.seed)
  policy = 'mixed_bfloat16' if args.dtype == 'bfloat16' else 'float32'
  inputs = encoder_inputs(tf, args, args.seq_length)
  # Weights come from a call on one window of tokens, so the RSS read after
  # it holds the weights, not the activations of a long eager pass.
  short_inputs = encoder_inputs(
      tf, args, min(args.seq_length, args.attention_window))
  encoder = build_under_policy(keras, build, policy, short_inputs)

  def sequence_sum(training: bool):
    outputs = encoder(inputs, training=training)
    return tf.reduce_sum(tf.cast(outputs['sequence_output'], tf.float32))

  @tf.function(jit_compile=jit_compile)
  def forward():
    return sequence_sum(training=False)

  @tf.function(jit_compile=jit_compile)
  def train():
    with tf.GradientTape() as tape:
      loss = sequence_sum(training=True)
    return loss, tape.gradient(loss, encoder.trainable_variables)

  def max_abs_diff() -> float:
    twin = build_under_policy(keras, build, 'float32', short_inputs)
    twin.set_weights(encoder.get_weights())
    ours = tf.cast(encoder(inputs, training=False)['sequence_output'],
                   tf.float32)
    reference = twin(inputs, training=False)['sequence_output']
    return float(tf.reduce_max(tf.abs(ours - reference)))

  if args.mode == 'train':
    return Step(lambda: train()[0].numpy(), max_abs_diff)
  return Step(lambda: forward().numpy(), max_abs_diff)


def ours_step(args) -> Step:
  """Our LongformerEncoder, under XLA or as a plain graph (--jit_compile)."""
  tf = configure_tensorflow(args.threads)
  import longformer  # pylint: disable=g-import-not-at-top
  import tf_keras  # pylint: disable=g-import-not-at-top
  options = {}
  if args.gradient_checkpointing:
    options['gradient_checkpointing'] = True
  if args.global_tokens != 'first':  # Older versions lack the argument.
    options['global_tokens'] = args.global_tokens

  def build():
    return longformer.LongformerEncoder(
        vocab_size=constants.VOCAB_SIZE,
        attention_window=args.attention_window,
        global_attention_size=args.global_count,
        pad_token_id=constants.PAD_TOKEN_ID,
        hidden_size=constants.HIDDEN_SIZE, num_layers=args.num_layers,
        num_attention_heads=constants.NUM_HEADS,
        max_sequence_length=(args.seq_length +
                             constants.POSITION_ROWS_OFFSET),
        type_vocab_size=1, inner_dim=constants.INNER_DIM, output_dropout=0.0,
        attention_dropout=0.0, **options)

  return make_step(tf, tf_keras, args, build, args.jit_compile)


def original_step(args) -> Step:
  """Model Garden's original port under XLA, first token global.

  Its own defaults differ from ours in two places, set here to match: the
  exact GELU (its default is the tanh approximation) and one token type.
  Its LayerNorm epsilon (1e-12) is its own; speed does not depend on it.
  """
  import original_port  # pylint: disable=g-import-not-at-top
  encoder_class = original_port.load(args.original_port_path)
  tf = configure_tensorflow(args.threads)
  if args.global_tokens != 'first':
    raise ValueError('The original port supports only --global_tokens=first.')

  def build():
    return encoder_class(
        vocab_size=constants.VOCAB_SIZE,
        attention_window=[args.attention_window] * args.num_layers,
        global_attention_size=args.global_count,
        pad_token_id=constants.PAD_TOKEN_ID,
        hidden_size=constants.HIDDEN_SIZE, num_layers=args.num_layers,
        num_attention_heads=constants.NUM_HEADS,
        max_sequence_length=(args.seq_length +
                             constants.POSITION_ROWS_OFFSET),
        type_vocab_size=1, inner_dim=constants.INNER_DIM,
        inner_activation='gelu', output_dropout=0.0, attention_dropout=0.0)

  return make_step(tf, tf.keras, args, build, jit_compile=True)


def matmul_step(args) -> Callable[[], None]:
  """The yardstick matmul MATMUL_SHAPE in --dtype."""
  tf = configure_tensorflow(args.threads)
  m, k, n = constants.MATMUL_SHAPE
  a = tf.random.stateless_normal((m, k), seed=(args.seed, 2))
  b = tf.random.stateless_normal((k, n), seed=(args.seed, 3))
  a, b = tf.cast(a, args.dtype), tf.cast(b, args.dtype)
  return lambda: tf.linalg.matmul(a, b).numpy()
