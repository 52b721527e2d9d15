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

"""The `longformer/glue` classifier as a serving export module.

Model Garden's `SentencePrediction` export module does the work
(`official/nlp/serving/serving_modules.py`); `LongformerSentencePrediction`
changes only what must differ for RoBERTa vocabularies:
- `serving_default` takes int32 `input_word_ids` and `input_mask`
  [batch, length] (1 = token, 0 = padding; 2 = global token for
  `global_tokens: marked`). Model Garden's `inputs_only` mode derives the
  mask from id 0, which is RoBERTa's `<s>` (padding is id 1), so it is
  refused. Type ids are zeros (Longformer has one token type).
- `serve_examples` parses serialized `tf.train.Example`s with the features
  the tokenizer tool writes (`input_ids`, `input_mask`, `segment_ids`,
  `seq_length` long), Model Garden's own parser.
Both return `{'outputs': float32 [batch, num_classes] logits}`.
"""
from typing import Dict
from typing import Text

import tensorflow as tf

from official.nlp.serving import serving_modules


class LongformerSentencePrediction(serving_modules.SentencePrediction):
  """Model Garden's sentence-prediction export with an explicit input_mask."""

  def __init__(self, params, model, inference_step=None):
    if params.inputs_only:
      raise ValueError(
          'inputs_only=True derives input_mask from token id 0, which is '
          "RoBERTa's <s> (its pad id is 1): serve with an explicit "
          'input_mask (inputs_only=False).')
    super().__init__(params, model, inference_step)

  def get_inference_signatures(self, function_keys: Dict[Text, Text]):
    """`serve` takes input_word_ids and input_mask; the rest as the base."""
    signatures = super().get_inference_signatures(
        {k: v for k, v in function_keys.items() if k != 'serve'})
    if 'serve' in function_keys:
      spec = lambda name: tf.TensorSpec([None, None], tf.int32, name=name)
      signatures[function_keys['serve']] = self.serve.get_concrete_function(
          input_word_ids=spec('input_word_ids'),
          input_mask=spec('input_mask'))
    return signatures
