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

"""`LongformerEncoder`: RoBERTa-style embeddings, Longformer blocks, pooler.

It computes what HF's PyTorch `LongformerModel` computes with the same
weights, and has the interface of Model Garden's `BertEncoderV2`: inputs
`input_word_ids, input_mask, input_type_ids` (optionally
`input_word_embeddings`), outputs `sequence_output, pooled_output,
encoder_outputs`.

As HF, it pads once (here only where a blocked layout needs it), builds one
`attention_plan.AttentionPlan` for every block, and cuts the outputs back:
every output has the input's length T. Padding keys are closed, so the real
tokens do not depend on how much padding there is.
"""
import numbers
from typing import List, Optional, Sequence, Union

import tensorflow as tf
import tf_keras

from official.modeling import tf_utils
from official.nlp.modeling import layers
from longformer.modeling import attention
from longformer.modeling import attention_plan
from longformer.modeling import encoder_block
from longformer.modeling import inputs as inputs_lib
from longformer.modeling import recompute
from longformer.modeling import sliding_window

# Keys of the inputs dict (`global_attention_mask` is optional, Python only).
_INPUT_NAMES = frozenset(('input_word_ids', 'input_mask', 'input_type_ids',
                          'input_word_embeddings', 'global_attention_mask'))


def roberta_position_ids(word_ids: tf.Tensor,
                         pad_token_id: int) -> tf.Tensor:
  """RoBERTa / HF position ids: int32 [B, T] -> int32 [B, T].

  Real tokens are numbered pad_token_id + 1, pad_token_id + 2, ... in order
  (the first pad_token_id + 1 rows of the position table are never used by a
  real token); padding tokens (id == pad_token_id) get pad_token_id.
  """
  is_token = tf.cast(tf.not_equal(word_ids, pad_token_id), tf.int32)
  return tf.cumsum(is_token, axis=1) * is_token + pad_token_id


def first_real_position_id(pad_token_id: int) -> int:
  """The position id of the first real token: RoBERTa's offset."""
  return pad_token_id + 1


def _windows_per_layer(attention_window: Union[int, Sequence[int]],
                       num_layers: int) -> List[int]:
  """Validates `attention_window` and returns one window per layer."""
  if isinstance(attention_window, numbers.Integral):
    windows = [attention_window] * num_layers
  elif isinstance(attention_window, (str, bytes)) or not hasattr(
      attention_window, '__len__'):  # e.g. 2.0: one (bad) window.
    attention.check_attention_window(attention_window)
  else:
    windows = list(attention_window)
    if len(windows) == 1:
      windows = windows * num_layers
    if len(windows) != num_layers:
      raise ValueError(
          f'attention_window has {len(windows)} entries for num_layers='
          f'{num_layers}: give one window per layer, or a single window for '
          'every layer.')
  for i, window in enumerate(windows):
    attention.check_attention_window(window, f'attention_window[{i}]')
  return [int(window) for window in windows]


@tf_keras.utils.register_keras_serializable(package='Longformer')
class LongformerEncoder(tf_keras.layers.Layer):
  """Longformer encoder (Beltagy et al. 2020), Model Garden interface.

  Args:
    vocab_size: size of the token vocabulary.
    attention_window: the full, even window: one int for every layer or one
      per layer. Each token sees attention_window // 2 tokens on each side.
    global_attention_size: G, the static number of global token slots per
      sequence. Global tokens attend to, and are attended by, every token.
    global_tokens: which tokens are global (`longformer.modeling.inputs` has the
      conventions): 'first', the first G real tokens of each row; 'marked',
      the tokens whose `input_mask` is 2 (at most G per row). In either mode
      a `global_attention_mask` input (HF's, 1 = global) marks them exactly.
    pad_token_id: the padding token id; position ids start after it.
    hidden_size: D.
    num_layers: number of transformer blocks.
    num_attention_heads: N.
    max_sequence_length: rows of the position table (HF
      `max_position_embeddings`, 4098 for longformer-base-4096). Inputs may
      hold up to max_sequence_length - pad_token_id - 1 tokens.
    type_vocab_size: number of token types.
    inner_dim: feed-forward width.
    inner_activation: feed-forward activation; 'gelu' is the exact GELU.
    output_dropout: dropout of embeddings and block outputs.
    attention_dropout: dropout of attention probabilities.
    initializer: kernel and embedding initializer.
    output_range: if set, `sequence_output` (and the last entry of
      `encoder_outputs`) keep only the first output_range tokens.
    embedding_width: word embedding width; projected to hidden_size when it
      differs.
    embedding_layer: an optional word embedding layer to use instead of a
      new one.
    norm_first: pre-LN blocks if True; HF Longformer is post-LN (False).
    norm_epsilon: epsilon of every layer norm (HF `layer_norm_eps`).
    recompute_attention: in training, recompute each layer's attention
      probabilities in the backward pass instead of keeping them (see
      `LongformerAttention`): less memory, ~15% slower training. Off by
      default, as memory savers are in Model Garden and HF.
    gradient_checkpointing: in training, keep only each block's input and
      recompute the block in the backward pass (Model Garden's XLA-friendly
      `recompute_grad`, dropout masks redrawn identically): activation
      memory of one block instead of all, for about one more forward pass.
    return_attention_scores: also output each layer's attention
      probabilities (after dropout) in the layouts of HF
      `LongformerModel(output_attentions=True)`: `attentions`, a list of
      float32 [B, N, T, G + attention_window + 1] (the G global keys'
      columns in position order, then the window: column j is key
      t - attention_window // 2 + j; rows of padding and of global tokens
      are 0), and `global_attentions`, a list of float32 [B, N, T, G]
      ([b, n, t, g]: global token g's probability on key t; 0 for a row's
      empty slots, where HF has the filler 1 / its padded T). Both have
      the input's
      length T (HF pads the key axis of `global_attentions` to a
      multiple of the window) and G = global_attention_size columns (HF:
      the batch's largest number of global tokens). Off by default, and
      free when off (the traced graph is the same as without the
      option). On, they cost memory, 4 B N T (attention_window + 1 + 2G)
      bytes per layer (~100 MB per example and layer at 4096 tokens,
      window 512, 12 heads), and time (the conversion to HF's window
      columns is a gather: a 2-layer hidden-64 encoder at 1024 tokens
      ran 2.2x slower on CPU); they also disable `recompute_attention`
      and `gradient_checkpointing`, so use it for inspection, not
      training.
    **kwargs: other Layer arguments.
  """

  def __init__(self,
               vocab_size: int,
               attention_window: Union[int, Sequence[int]] = 512,
               global_attention_size: int = 1,
               global_tokens: str = 'first',
               pad_token_id: int = 1,
               hidden_size: int = 768,
               num_layers: int = 12,
               num_attention_heads: int = 12,
               max_sequence_length: int = 4098,
               type_vocab_size: int = 1,
               inner_dim: int = 3072,
               inner_activation='gelu',
               output_dropout: float = 0.1,
               attention_dropout: float = 0.1,
               initializer=tf_keras.initializers.TruncatedNormal(stddev=0.02),
               output_range: Optional[int] = None,
               embedding_width: Optional[int] = None,
               embedding_layer: Optional[tf_keras.layers.Layer] = None,
               norm_first: bool = False,
               norm_epsilon: float = 1e-5,
               recompute_attention: bool = False,
               gradient_checkpointing: bool = False,
               return_attention_scores: bool = False,
               **kwargs):
    super().__init__(**kwargs)
    windows = _windows_per_layer(attention_window, num_layers)
    attention.check_global_attention_size(global_attention_size)
    attention.check_global_tokens(global_tokens)
    if hidden_size % num_attention_heads:
      raise ValueError(f'hidden_size={hidden_size} must be a multiple of '
                       f'num_attention_heads={num_attention_heads}.')
    if not 0 <= pad_token_id < vocab_size:
      raise ValueError(f'pad_token_id={pad_token_id} must be a token id in '
                       f'[0, vocab_size={vocab_size}).')
    if max_sequence_length <= first_real_position_id(pad_token_id):
      raise ValueError(
          f'max_sequence_length={max_sequence_length} leaves no position for '
          f'a real token: positions start at pad_token_id + 1 = '
          f'{first_real_position_id(pad_token_id)}.')
    initializer = tf_keras.initializers.get(initializer)
    embedding_width = embedding_width or hidden_size
    self._config = {
        'vocab_size': vocab_size,
        'attention_window': windows,
        'global_attention_size': int(global_attention_size),
        'global_tokens': global_tokens,
        'pad_token_id': pad_token_id,
        'hidden_size': hidden_size,
        'num_layers': num_layers,
        'num_attention_heads': num_attention_heads,
        'max_sequence_length': max_sequence_length,
        'type_vocab_size': type_vocab_size,
        'inner_dim': inner_dim,
        'inner_activation': tf_keras.activations.serialize(
            tf_keras.activations.get(inner_activation)),
        'output_dropout': output_dropout,
        'attention_dropout': attention_dropout,
        'initializer': tf_keras.initializers.serialize(initializer),
        'output_range': output_range,
        'embedding_width': embedding_width,
        'embedding_layer': embedding_layer,
        'norm_first': norm_first,
        'norm_epsilon': norm_epsilon,
        'recompute_attention': recompute_attention,
        'gradient_checkpointing': gradient_checkpointing,
        'return_attention_scores': bool(return_attention_scores),
    }

    self._embedding_layer = embedding_layer or layers.OnDeviceEmbedding(
        vocab_size=vocab_size, embedding_width=embedding_width,
        initializer=tf_utils.clone_initializer(initializer),
        name='word_embeddings')
    self._position_embedding_layer = layers.OnDeviceEmbedding(
        vocab_size=max_sequence_length, embedding_width=embedding_width,
        initializer=tf_utils.clone_initializer(initializer),
        name='position_embedding')
    self._type_embedding_layer = layers.OnDeviceEmbedding(
        vocab_size=type_vocab_size, embedding_width=embedding_width,
        initializer=tf_utils.clone_initializer(initializer), use_one_hot=True,
        name='type_embeddings')
    self._embedding_norm_layer = tf_keras.layers.LayerNormalization(
        name='embeddings/layer_norm', axis=-1, epsilon=norm_epsilon,
        dtype=tf.float32)
    # float32, so the float32 residual stream starts at the layer norm.
    self._embedding_dropout = tf_keras.layers.Dropout(
        rate=output_dropout, name='embedding_dropout', dtype=tf.float32)
    self._embedding_projection = None
    if embedding_width != hidden_size:
      self._embedding_projection = tf_keras.layers.EinsumDense(
          '...x,xy->...y', output_shape=hidden_size, bias_axes='y',
          kernel_initializer=tf_utils.clone_initializer(initializer),
          name='embedding_projection')
    self._transformer_layers = [
        encoder_block.LongformerEncoderBlock(
            num_attention_heads=num_attention_heads,
            inner_dim=inner_dim,
            inner_activation=inner_activation,
            attention_window=window,
            global_attention_size=global_attention_size,
            global_tokens='marked',  # The encoder marks them (`inputs`).
            output_dropout=output_dropout,
            attention_dropout=attention_dropout,
            recompute_attention=recompute_attention,
            norm_first=norm_first,
            norm_epsilon=norm_epsilon,
            kernel_initializer=tf_utils.clone_initializer(initializer),
            name=f'transformer/layer_{i}') for i, window in enumerate(windows)
    ]
    self._pooler_layer = tf_keras.layers.Dense(
        units=hidden_size, activation='tanh',
        kernel_initializer=tf_utils.clone_initializer(initializer),
        name='pooler_transform')
    # Named, so a saved model's serving signature takes these names.
    self.inputs = {
        name: tf_keras.Input(shape=(None,), dtype=tf.int32, name=name)
        for name in ('input_word_ids', 'input_mask', 'input_type_ids')}

  def _checked_ids(self, word_ids, type_ids):
    """Word ids and token types, checked (see `inputs` for XLA)."""
    config = self._config
    if word_ids is not None:
      word_ids = inputs_lib.checked_ids(
          word_ids, config['vocab_size'], 'input_word_ids',
          'use the tokenizer that matches the vocabulary')
    if type_ids is not None:
      type_ids = inputs_lib.checked_ids(
          type_ids, config['type_vocab_size'], 'input_type_ids',
          f'type_vocab_size={config["type_vocab_size"]}; RoBERTa and '
          'Longformer checkpoints have a single token type, so set '
          'input_type_ids to 0 (segment ids of sentence pairs are not used)')
    return word_ids, type_ids

  def _embed(self, word_ids, type_ids, word_embeddings):
    """Word + position + type embeddings, normalized: [B, T, D]."""
    pad_token_id = self._config['pad_token_id']
    if word_embeddings is None:
      word_embeddings = self._embedding_layer(word_ids)
    if word_ids is not None:
      position_ids = roberta_position_ids(word_ids, pad_token_id)
    else:  # Embeddings given: no pad ids to skip, so positions run in order.
      shape = tf.shape(word_embeddings)[:2]
      first = first_real_position_id(pad_token_id)
      position_ids = tf.broadcast_to(
          tf.range(first, first + shape[1]), shape)
    if type_ids is None:
      type_ids = tf.zeros(tf.shape(word_embeddings)[:2], tf.int32)
    embeddings = (word_embeddings +
                  self._position_embedding_layer(position_ids) +
                  self._type_embedding_layer(type_ids))
    return self._embedding_norm_layer(embeddings)

  def call(self, inputs, training=None):
    if not isinstance(inputs, dict):
      raise ValueError(
          'LongformerEncoder takes a dict with input_word_ids, input_mask '
          f'and input_type_ids; got {type(inputs).__name__}.')
    # Other keys (e.g. BertPretrainerV2's masked_lm_positions) are ignored,
    # as Model Garden's encoders do.
    used = {name: inputs[name] for name in _INPUT_NAMES if name in inputs}
    if 'input_mask' not in used or not (
        {'input_word_ids', 'input_word_embeddings'} & set(used)):
      raise ValueError(
          'LongformerEncoder inputs need input_mask and input_word_ids (or '
          f'input_word_embeddings); got keys {sorted(inputs)}.')
    used = inputs_lib.as_int_masks(used)
    shape_checks = inputs_lib.check_shapes(used)
    word_ids = used.get('input_word_ids')
    mask = used['input_mask']
    type_ids = used.get('input_type_ids')
    word_embeddings = used.get('input_word_embeddings')
    length_check = inputs_lib.check_length(
        sliding_window.static_or_dynamic_length(mask),
        self._config['max_sequence_length'] -
        first_real_position_id(self._config['pad_token_id']),
        self._config['max_sequence_length'])
    checks = [c for c in [length_check] + shape_checks if c is not None]
    with tf.control_dependencies(checks):
      word_ids, type_ids = self._checked_ids(word_ids, type_ids)
      mask = tf.identity(mask)
    mask = inputs_lib.block_attention_mask(
        mask, used.get('global_attention_mask'),
        self._config['global_tokens'], self._config['global_attention_size'])

    x = self._embed(word_ids, type_ids, word_embeddings)
    x = self._embedding_dropout(x, training=training)
    if self._embedding_projection is not None:
      x = self._embedding_projection(x)
    # Pad once, plan once, slice once (see `attention_plan`).
    seq_length = sliding_window.static_or_dynamic_length(mask)
    windows = [w // 2 for w in self._config['attention_window']]
    length = attention_plan.padded_length(seq_length, windows)
    mask = attention_plan.pad_to(mask, length)
    plan = attention_plan.build(mask, windows,
                                self._config['global_attention_size'])
    x = attention_plan.pad_to(x, length)
    encoder_outputs, attentions, global_attentions = [], [], []
    scores = self._config['return_attention_scores']
    for block in self._transformer_layers:
      if scores:
        x, local_probs, global_probs = block(
            [x, mask], plan=plan, training=training,
            return_attention_scores=True)
        attentions.append(local_probs)
        global_attentions.append(global_probs)
      else:
        x = self._run_block(block, x, mask, plan, training)
      encoder_outputs.append(x)
    if not (isinstance(length, int) and length == seq_length):
      encoder_outputs = [out[:, :seq_length] for out in encoder_outputs]
      attentions = [out[:, :, :seq_length] for out in attentions]
      global_attentions = [out[:, :, :seq_length]
                           for out in global_attentions]
    if self._config['output_range'] is not None:
      encoder_outputs[-1] = encoder_outputs[-1][:, :self._config[
          'output_range']]
    sequence_output = encoder_outputs[-1]
    pooled_output = self._pooler_layer(sequence_output[:, 0, :])
    outputs = dict(sequence_output=sequence_output,
                   pooled_output=pooled_output,
                   encoder_outputs=encoder_outputs)
    if scores:
      outputs.update(attentions=attentions,
                     global_attentions=global_attentions)
    return outputs

  def _run_block(self, block, x, mask, plan, training):
    """One block, recomputed in the backward pass if checkpointing."""
    if not (self._config['gradient_checkpointing'] and training and
            block.built):  # The first call creates the weights normally.
      return block([x, mask], plan=plan, training=training)
    return recompute.recompute_in_backward(
        lambda hidden: block([hidden, mask], plan=plan, training=True))(x)

  def get_embedding_table(self):
    return self._embedding_layer.embeddings

  def get_embedding_layer(self):
    return self._embedding_layer

  @property
  def position_embedding_layer(self):
    """Position table [max_sequence_length, embedding_width]."""
    return self._position_embedding_layer

  @property
  def type_embedding_layer(self):
    """Token type table [type_vocab_size, embedding_width]."""
    return self._type_embedding_layer

  @property
  def embedding_norm_layer(self):
    """LayerNorm over the summed embeddings."""
    return self._embedding_norm_layer

  @property
  def transformer_layers(self):
    """The `LongformerEncoderBlock`s, first to last."""
    return self._transformer_layers

  @property
  def pooler_layer(self):
    """The dense tanh layer on the first token."""
    return self._pooler_layer

  def get_config(self):
    return dict(super().get_config(), **self._config)

  @classmethod
  def from_config(cls, config, custom_objects=None):
    return cls(**config)
