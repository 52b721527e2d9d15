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

"""`LongformerEncoderConfig` and the builder Model Garden calls for it.

Model Garden builds encoders from `encoders.EncoderConfig`. Its `type: any`
branch calls `config.BUILDER(config)`; `base_config.bind` below sets that
builder, so importing this module (which `import longformer` does) is enough
for `encoders.build_encoder(EncoderConfig(type='any', any=...))` to return a
`LongformerEncoder`.
"""
import dataclasses
from typing import List

import tf_keras

from official.modeling.hyperparams import base_config
from official.nlp.configs import encoders
from longformer.modeling import encoder as encoder_lib


@dataclasses.dataclass
class LongformerEncoderConfig(encoders.BertEncoderConfig):
  """Longformer encoder configuration; defaults are longformer-base-4096.

  Field names are `BertEncoderConfig`'s; the additions are:
    attention_window: the full, even window of each layer (a token sees
      attention_window // 2 neighbours on each side), one value per layer or
      a single value for every layer.
    global_attention_size: the static number of global token slots per
      sequence; global tokens attend to, and are attended by, every token.
    global_tokens: 'first' (the first global_attention_size tokens are
      global; `input_mask` is 0/1) or 'marked' (tokens whose `input_mask` is
      2 are global, at most global_attention_size per row: how data tools
      mark question tokens for QA).
    pad_token_id: the padding token; RoBERTa position ids start at
      pad_token_id + 1.
    norm_epsilon: the epsilon of every layer normalization (HF
      `layer_norm_eps`).
    recompute_attention: recompute each layer's attention probabilities in
      the backward pass instead of keeping them (less memory, ~15% slower
      training; off by default).
    gradient_checkpointing: recompute each block in the backward pass,
      trading about one more forward pass for activation memory.
  `return_attention_scores` (BertEncoderConfig's field) makes the encoder
  also output `attentions` and `global_attentions`, each layer's attention
  probabilities in HF's `output_attentions=True` layouts (see
  `LongformerEncoder`).
  """
  vocab_size: int = 50265
  hidden_size: int = 768
  num_layers: int = 12
  num_attention_heads: int = 12
  hidden_activation: str = 'gelu'
  intermediate_size: int = 3072
  dropout_rate: float = 0.1
  attention_dropout_rate: float = 0.1
  max_position_embeddings: int = 4098
  type_vocab_size: int = 1
  initializer_range: float = 0.02
  attention_window: List[int] = dataclasses.field(
      default_factory=lambda: [512])
  global_attention_size: int = 1
  global_tokens: str = 'first'
  pad_token_id: int = 1
  norm_epsilon: float = 1e-5
  recompute_attention: bool = False
  gradient_checkpointing: bool = False


@base_config.bind(LongformerEncoderConfig)
def build_longformer_encoder(
    encoder_cfg: LongformerEncoderConfig) -> encoder_lib.LongformerEncoder:
  """Builds a `LongformerEncoder` from its config."""
  return encoder_lib.LongformerEncoder(
      vocab_size=encoder_cfg.vocab_size,
      attention_window=list(encoder_cfg.attention_window),
      global_attention_size=encoder_cfg.global_attention_size,
      global_tokens=encoder_cfg.global_tokens,
      pad_token_id=encoder_cfg.pad_token_id,
      hidden_size=encoder_cfg.hidden_size,
      num_layers=encoder_cfg.num_layers,
      num_attention_heads=encoder_cfg.num_attention_heads,
      max_sequence_length=encoder_cfg.max_position_embeddings,
      type_vocab_size=encoder_cfg.type_vocab_size,
      inner_dim=encoder_cfg.intermediate_size,
      inner_activation=encoder_cfg.hidden_activation,
      output_dropout=encoder_cfg.dropout_rate,
      attention_dropout=encoder_cfg.attention_dropout_rate,
      initializer=tf_keras.initializers.TruncatedNormal(
          stddev=encoder_cfg.initializer_range),
      output_range=encoder_cfg.output_range,
      embedding_width=encoder_cfg.embedding_size,
      norm_first=encoder_cfg.norm_first,
      norm_epsilon=encoder_cfg.norm_epsilon,
      recompute_attention=encoder_cfg.recompute_attention,
      gradient_checkpointing=encoder_cfg.gradient_checkpointing,
      return_attention_scores=encoder_cfg.return_attention_scores)
