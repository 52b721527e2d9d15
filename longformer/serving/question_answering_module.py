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

"""The `longformer/squad` span labeler as a serving export module.

Model Garden's `QuestionAnswering` export module
(`official/nlp/serving/serving_modules.py`) with what must differ for
Longformer and RoBERTa vocabularies:
- `serving_default` takes int32 `input_word_ids` and `input_mask`
  [batch, length] in the SQuAD tool's convention: 2 = global token (`<s>`
  and the question), 1 = other token, 0 = padding. Model Garden derives a
  missing mask from id 0, which is RoBERTa's `<s>`, so the mask is required.
  Type ids are zeros (Longformer has one token type).
- `serve_global_attention_mask` takes HF's masks instead: `input_mask`
  (1 = token, 0 = padding) and `global_attention_mask` (1 = global), both
  int32 [batch, length]; they become the mask above, `input_mask *
  (global_attention_mask + 1)`, as HF combines them (padding stays padding).
  Only a `global_tokens: marked` encoder reads those marks, so only such
  a model gets this signature (`saved_model_export.signatures_of`).
- `serve_examples` parses serialized `tf.train.Example`s with the features
  `utils/squad_to_tfrecord.py` writes (`input_ids`, `input_mask`,
  `segment_ids` of `parse_sequence_length`; other features such as
  `unique_ids` are ignored), Model Garden's own parser.
Each returns `{'start_logits', 'end_logits'}`: float32 [batch, length].
"""
from typing import Dict
from typing import Text

import tensorflow as tf

from official.nlp.serving import serving_modules

# Signature key of the HF-masks function.
GLOBAL_ATTENTION_MASK_SIGNATURE = 'serve_global_attention_mask'


def _ids_spec(name: str) -> tf.TensorSpec:
  return tf.TensorSpec([None, None], tf.int32, name=name)


class LongformerQuestionAnswering(serving_modules.QuestionAnswering):
  """Model Garden's QA export with an explicit (marked) input_mask."""

  @tf.function
  def serve(self, input_word_ids, input_mask, input_type_ids=None
            ) -> Dict[str, tf.Tensor]:
    """Start and end logits, float32 [B, T], of int32 [B, T] inputs."""
    if input_type_ids is None:
      input_type_ids = tf.zeros_like(input_word_ids)
    start_logits, end_logits = self.inference_step(dict(
        input_word_ids=input_word_ids, input_mask=input_mask,
        input_type_ids=input_type_ids))
    return dict(start_logits=start_logits, end_logits=end_logits)

  @tf.function
  def serve_global_attention_mask(self, input_word_ids, input_mask,
                                  global_attention_mask
                                  ) -> Dict[str, tf.Tensor]:
    """`serve` with HF's 0/1 input_mask and global_attention_mask."""
    return self.serve(input_word_ids=input_word_ids,
                      input_mask=input_mask * (global_attention_mask + 1))

  def get_inference_signatures(self, function_keys: Dict[Text, Text]):
    """`serve`, `serve_examples` and `serve_global_attention_mask`."""
    signatures = super().get_inference_signatures(
        {k: v for k, v in function_keys.items()
         if k not in ('serve', GLOBAL_ATTENTION_MASK_SIGNATURE)})
    if 'serve' in function_keys:
      signatures[function_keys['serve']] = self.serve.get_concrete_function(
          input_word_ids=_ids_spec('input_word_ids'),
          input_mask=_ids_spec('input_mask'))
    if GLOBAL_ATTENTION_MASK_SIGNATURE in function_keys:
      signatures[function_keys[GLOBAL_ATTENTION_MASK_SIGNATURE]] = (
          self.serve_global_attention_mask.get_concrete_function(
              input_word_ids=_ids_spec('input_word_ids'),
              input_mask=_ids_spec('input_mask'),
              global_attention_mask=_ids_spec('global_attention_mask')))
    return signatures
