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

"""RoBERTa's masked-LM head as a Model Garden `layers.MaskedLM`.

Model Garden's `MaskedLM` computes what HF's `RobertaLMHead` /
`LongformerLMHead` computes (dense, activation, LayerNorm, a decoder tied to
the word embeddings, an output bias), with two differences this subclass
removes:
  - its LayerNorm epsilon is fixed at 1e-12; HF uses `layer_norm_eps`
    (1e-5 for RoBERTa and Longformer), set here by `norm_epsilon`;
  - the task passes `tf_utils.get_activation('gelu')`, the tanh
    approximation; HF's head uses the exact (erf) GELU, which
    `tf_keras.activations.get('gelu')` returns (`LongformerMaskedLMTask`
    uses it).

The variables and their checkpoint names are `MaskedLM`'s, so a checkpoint
written with this layer restores into Model Garden's layer and back.
Shapes: B batch, P masked positions, D hidden size, V vocabulary.
"""
import tf_keras

from official.nlp.modeling import layers

# HF RobertaConfig / LongformerConfig default `layer_norm_eps`.
HF_NORM_EPSILON = 1e-5


@tf_keras.utils.register_keras_serializable(package='Longformer')
class RobertaMaskedLM(layers.MaskedLM):
  """`layers.MaskedLM` with a configurable LayerNorm epsilon.

  Call: (sequence_data float [B, T, D], masked_positions int32 [B, P]) ->
  logits float [B, P, V].

  Args:
    embedding_table: the encoder's word embeddings [V, D] (the tied
      decoder).
    norm_epsilon: the LayerNorm epsilon (HF `layer_norm_eps`).
    **kwargs: `layers.MaskedLM`'s arguments (activation, initializer,
      output, name).
  """

  def __init__(self, embedding_table, norm_epsilon=HF_NORM_EPSILON,
               **kwargs):
    super().__init__(embedding_table, **kwargs)
    if not norm_epsilon > 0:
      raise ValueError(f'norm_epsilon={norm_epsilon} must be positive.')
    self._norm_epsilon = float(norm_epsilon)

  def build(self, input_shape):
    super().build(input_shape)
    # `MaskedLM.build` creates the (not yet built) LayerNorm with 1e-12;
    # the epsilon is only read when it runs.
    self.layer_norm.epsilon = self._norm_epsilon

  @property
  def norm_epsilon(self) -> float:
    return self._norm_epsilon
