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

"""Masked-LM task whose head is RoBERTa's / HF Longformer's.

Model Garden's `MaskedLMTask` builds `layers.MaskedLM` with the tanh GELU
approximation and a LayerNorm epsilon of 1e-12; RoBERTa's and HF
Longformer's `lm_head` use the exact GELU and `layer_norm_eps` (1e-5). This
task builds the same `BertPretrainerV2` with `RobertaMaskedLM`, so a head
converted from HF (`longformer.conversion.masked_lm_conversion`) gives HF's
logits and continued pretraining starts from them. Everything else (data,
losses, metrics, `initialize` restoring `encoder` and `masked_lm` from
`init_checkpoint`) is `MaskedLMTask`'s. The model hands the encoder only its
own inputs (the encoder refuses unknown keys such as `masked_lm_positions`).
"""
import dataclasses

import tf_keras

from official.core import task_factory
from official.nlp.configs import bert
from official.nlp.modeling import layers
from official.nlp.modeling import models
from official.nlp.tasks import masked_lm
from longformer.modeling import masked_lm_head


# The inputs `LongformerEncoder` takes; the pretraining features hold more.
ENCODER_INPUT_NAMES = ('input_word_ids', 'input_mask', 'input_type_ids',
                       'input_word_embeddings', 'global_attention_mask')


class LongformerPretrainer(models.BertPretrainerV2):
  """`BertPretrainerV2` that passes the encoder only the encoder's inputs.

  Inputs: a dict of int32 [B, T] tensors named as the encoder's inputs (plus
  `masked_lm_positions` int32 [B, P]), or a list of them in the order of
  `model.inputs`: sorted by name, as `tf.nest.flatten` orders the dict and
  as a Keras functional model with dict inputs takes them.
  Outputs are `BertPretrainerV2`'s: the encoder's dict plus `mlm_logits`
  float32 [B, P, V] when `masked_lm_positions` int32 [B, P] is given.
  """

  def __init__(self, *args, **kwargs):
    super().__init__(*args, **kwargs)
    # `BertPretrainerV2` keeps `inputs` as a dict; Model Garden's
    # `train_utils.try_count_flops` (run at the end of every train.py job)
    # makes a TensorSpec of each entry of `model.inputs`, which for a dict
    # are its keys, and logs "Failed to count model FLOPs". A list, as
    # Keras functional models expose, is what it expects. (Not
    # `input_names`: Keras names save specs with that attribute.)
    self._input_order = tuple(sorted(self.inputs))
    self.inputs = [self.inputs[name] for name in self._input_order]

  def call(self, inputs):  # pytype: disable=signature-mismatch
    if isinstance(inputs, (list, tuple)):
      if len(inputs) != len(self._input_order):
        raise ValueError(
            f'LongformerPretrainer takes {len(self._input_order)} inputs in '
            f'the order {list(self._input_order)} (or a dict of them); got '
            f'{len(inputs)}.')
      inputs = dict(zip(self._input_order, inputs))
    if not isinstance(inputs, dict):
      raise ValueError('LongformerPretrainer takes a dict of named inputs.')
    outputs = dict(self.encoder_network(
        {k: v for k, v in inputs.items() if k in ENCODER_INPUT_NAMES}))
    if 'masked_lm_positions' in inputs:
      outputs['mlm_logits'] = self.masked_lm(
          outputs['sequence_output'],
          masked_positions=inputs['masked_lm_positions'])
    for cls_head in self.classification_heads:
      cls_outputs = cls_head(outputs['sequence_output'])
      if isinstance(cls_outputs, dict):
        outputs.update(cls_outputs)
      else:
        outputs[cls_head.name] = cls_outputs
    return outputs


@dataclasses.dataclass
class RobertaPretrainerConfig(bert.PretrainerConfig):
  """`PretrainerConfig` plus the head's LayerNorm epsilon.

  `mlm_activation` is resolved by `tf_keras.activations.get`, so 'gelu' is
  the exact (erf) GELU, as in HF's head.
  """
  mlm_norm_epsilon: float = masked_lm_head.HF_NORM_EPSILON


@dataclasses.dataclass
class LongformerMaskedLMConfig(masked_lm.MaskedLMConfig):
  """`MaskedLMConfig` whose model is a `RobertaPretrainerConfig`."""
  model: RobertaPretrainerConfig = dataclasses.field(
      default_factory=lambda: RobertaPretrainerConfig(cls_heads=[]))


@task_factory.register_task_cls(LongformerMaskedLMConfig)
class LongformerMaskedLMTask(masked_lm.MaskedLMTask):
  """`MaskedLMTask` with `RobertaMaskedLM` as the masked-LM head."""

  def build_model(self, params=None):
    config = params or self.task_config.model
    encoder_network = self._build_encoder(config.encoder)
    # Creates the embedding table the head decodes with, as
    # `BertPretrainerV2` does before building its own head.
    encoder_network(encoder_network.inputs)
    cls_heads = [layers.ClassificationHead(**head.as_dict())
                 for head in config.cls_heads]
    head = masked_lm_head.RobertaMaskedLM(
        embedding_table=encoder_network.get_embedding_table(),
        norm_epsilon=config.mlm_norm_epsilon,
        activation=tf_keras.activations.get(config.mlm_activation),
        initializer=tf_keras.initializers.TruncatedNormal(
            stddev=config.mlm_initializer_range),
        name='cls/predictions')
    return LongformerPretrainer(
        encoder_network=encoder_network,
        classification_heads=cls_heads,
        customized_masked_lm=head)
