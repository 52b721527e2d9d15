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

"""HF Longformer task heads <-> Model Garden task models over our encoder.

- `LongformerForSequenceClassification`: `classifier.dense` (D -> D, tanh)
  and `classifier.out_proj` (D -> C) on `<s>`'s final hidden state. That is
  Model Garden's `BertClassifier(use_encoder_pooler=False)`: its
  `ClassificationHead` with inner_dim = D and tanh on the first token, the
  model `longformer/glue` (sentence prediction) builds with
  `task.model.use_encoder_pooler: false`.
- `LongformerForQuestionAnswering`: `qa_outputs` (D -> 2: start, end) on
  every token. That is Model Garden's `BertSpanLabeler` (its `span_labeling`
  dense layer), the model of the `bert/squad`-style question answering task.
- `LongformerForMaskedLM`: `lm_head` on every token. That is
  `masked_lm_head.RobertaMaskedLM`, the head of `longformer/pretraining`
  (`longformer.conversion.masked_lm_conversion` maps it); it is written
  beside the encoder as `masked_lm`, the name the pretraining task restores.

Shapes: D hidden, C classes, B batch, T length.
"""
from typing import Mapping, Optional

import numpy as np
import tf_keras

from official.nlp.modeling import models
from longformer.conversion import checkpoint_conversion
from longformer.conversion import masked_lm_conversion
from longformer.modeling import masked_lm_head

CLASSIFICATION = 'classification'
QUESTION_ANSWERING = 'question_answering'
MASKED_LM = 'masked_lm'
# Our head kind -> the HF class that holds it (None: the bare encoder).
HF_CLASSES = {
    None: 'LongformerModel',
    CLASSIFICATION: 'LongformerForSequenceClassification',
    QUESTION_ANSWERING: 'LongformerForQuestionAnswering',
    MASKED_LM: 'LongformerForMaskedLM',
}
# Heads held by a Model Garden task model (`model=` in the checkpoint, so the
# folder is a model_dir); the masked-LM head is written as `masked_lm=`.
TASK_MODEL_HEADS = (CLASSIFICATION, QUESTION_ANSWERING)
# A key that only the head's HF checkpoints hold.
_HEAD_MARKERS = {
    CLASSIFICATION: 'classifier.out_proj.weight',
    QUESTION_ANSWERING: 'qa_outputs.weight',
}
# Name of Model Garden's SpanLabeling dense layer (official/nlp/modeling/
# networks/span_labeling.py).
_SPAN_DENSE_NAME = 'predictions/transform/logits'


def head_in_state(state: Mapping[str, np.ndarray]) -> Optional[str]:
  """The head kind whose weights `state` holds, or None.

  Raises:
    ValueError: the state holds both heads.
  """
  found = [kind for kind, key in _HEAD_MARKERS.items() if key in state]
  if masked_lm_conversion.has_lm_head(state):
    found.append(MASKED_LM)
  if len(found) > 1:
    raise ValueError(f'The checkpoint holds several task heads {found}; '
                     'convert one model at a time.')
  return found[0] if found else None


def num_classes_in_state(state: Mapping[str, np.ndarray]) -> int:
  """C, from the classifier's out_proj weight [C, D]."""
  return int(np.asarray(state[_HEAD_MARKERS[CLASSIFICATION]]).shape[0])


def build_task_model(encoder, head: str, num_classes: int = 0,
                     initializer_range: float = 0.02,
                     norm_epsilon: float = masked_lm_head.HF_NORM_EPSILON
                     ) -> tf_keras.Model:
  """The Model Garden task model (or masked-LM head) over `encoder`.

  Args:
    encoder: a `LongformerEncoder` (built, i.e. called once, for MASKED_LM).
    head: CLASSIFICATION, QUESTION_ANSWERING or MASKED_LM.
    num_classes: C, for CLASSIFICATION.
    initializer_range: stddev of the head's initializer (overwritten by a
      conversion).
    norm_epsilon: the masked-LM head's LayerNorm epsilon (HF
      `layer_norm_eps`), for MASKED_LM.

  Returns:
    `BertClassifier` (logits float32 [B, C]), built as `longformer/glue`
    builds it with `use_encoder_pooler: false`, `BertSpanLabeler`
    (start and end logits, float32 [B, T] each), or a built
    `RobertaMaskedLM` on the encoder's word embeddings (see
    `masked_lm_conversion.mlm_logits`: float32 [B, T, V]).
  """
  if head == MASKED_LM:
    return masked_lm_conversion.build_masked_lm(
        encoder, {'layer_norm_eps': norm_epsilon})
  initializer = tf_keras.initializers.TruncatedNormal(
      stddev=initializer_range)
  if head == CLASSIFICATION:
    return models.BertClassifier(
        network=encoder, num_classes=num_classes, initializer=initializer,
        use_encoder_pooler=False)
  if head == QUESTION_ANSWERING:
    return models.BertSpanLabeler(network=encoder, initializer=initializer)
  raise ValueError(f'head={head!r} must be one of {list(_HEAD_MARKERS)}.')


def head_weight_table(task_model, head: str
                      ) -> checkpoint_conversion.WeightTable:
  """(HF name, our variable, transform) for the head of a task model."""
  linear = checkpoint_conversion.LINEAR_KERNEL
  same = checkpoint_conversion.IDENTITY
  if head == CLASSIFICATION:
    out_proj = task_model.classifier.out_proj
    # With use_encoder_pooler (longformer/glue's default) the encoder's
    # pooler is the dense + tanh on the first token; without, the head's.
    dense = (task_model.classifier.dense if task_model.classifier.inner_dim
             else encoder_of(task_model).pooler_layer)
    return [('classifier.dense.weight', dense.kernel, linear),
            ('classifier.dense.bias', dense.bias, same),
            ('classifier.out_proj.weight', out_proj.kernel, linear),
            ('classifier.out_proj.bias', out_proj.bias, same)]
  if head == QUESTION_ANSWERING:
    dense = task_model.span_labeling.get_layer(_SPAN_DENSE_NAME)
    return [('qa_outputs.weight', dense.kernel, linear),
            ('qa_outputs.bias', dense.bias, same)]
  if head == MASKED_LM:  # For export; conversion uses load_weights.
    return masked_lm_conversion.head_weight_table(task_model)
  raise ValueError(f'head={head!r} must be one of {list(_HEAD_MARKERS)}.')


def load_weights(encoder, task_model, head: Optional[str],
                 state: Mapping[str, np.ndarray]
                 ) -> checkpoint_conversion.LoadReport:
  """Assigns the encoder's and the head's HF weights.

  Args:
    encoder: our encoder; task_model: from `build_task_model` (None for
      head None).
    state: HF parameter name -> array, task prefix stripped.

  Returns:
    The encoder's `LoadReport`; the head's keys are not in `ignored`.

  Raises:
    CheckpointMismatchError: naming every weight that does not fit.
  """
  if head != MASKED_LM:
    return checkpoint_conversion.load_hf_weights(
        encoder, state, head_weight_table(task_model, head) if head else ())
  report = checkpoint_conversion.load_hf_weights(encoder, state)
  used = set(masked_lm_conversion.load_lm_head_weights(task_model, state))
  report.ignored = [k for k in report.ignored if k not in used]
  return report


def checkpoint_items(encoder, task_model, head: Optional[str]) -> dict:
  """Objects for `tf.train.Checkpoint(**items)`: `encoder` (what
  `task.init_checkpoint` restores) plus `model` (a task model) or
  `masked_lm` (the head `longformer/pretraining` restores)."""
  if head == MASKED_LM:
    return masked_lm_conversion.checkpoint_items(encoder, task_model)
  items = dict(encoder=encoder)
  if head is not None:
    items['model'] = task_model
  return items


def encoder_of(task_model):
  """The encoder inside a `BertClassifier` or `BertSpanLabeler`."""
  return task_model.checkpoint_items['encoder']


def task_model_yaml(head: Optional[str], num_classes: int = 0) -> dict:
  """`task.model` fields (besides the encoder) that rebuild the task model.

  None for MASKED_LM: its YAML stays valid for `longformer/glue` too (the
  usual next step), and `longformer/pretraining`'s head epsilon defaults to
  HF's; the converter prints the override when they differ.
  """
  if head == CLASSIFICATION:
    return {'num_classes': num_classes, 'use_encoder_pooler': False}
  return {}
