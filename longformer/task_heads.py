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

Shapes: D hidden, C classes, B batch, T length.
"""
from typing import Mapping, Optional

import numpy as np
import tf_keras

from official.nlp.modeling import models
from longformer import checkpoint_conversion

CLASSIFICATION = 'classification'
QUESTION_ANSWERING = 'question_answering'
# Our head kind -> the HF class that holds it (None: the bare encoder).
HF_CLASSES = {
    None: 'LongformerModel',
    CLASSIFICATION: 'LongformerForSequenceClassification',
    QUESTION_ANSWERING: 'LongformerForQuestionAnswering',
}
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
  if len(found) > 1:
    raise ValueError(f'The checkpoint holds both task heads {found}; convert '
                     'one model at a time.')
  return found[0] if found else None


def num_classes_in_state(state: Mapping[str, np.ndarray]) -> int:
  """C, from the classifier's out_proj weight [C, D]."""
  return int(np.asarray(state[_HEAD_MARKERS[CLASSIFICATION]]).shape[0])


def build_task_model(encoder, head: str, num_classes: int = 0,
                     initializer_range: float = 0.02) -> tf_keras.Model:
  """The Model Garden task model over `encoder` that holds `head`.

  Args:
    encoder: a `LongformerEncoder`.
    head: CLASSIFICATION or QUESTION_ANSWERING.
    num_classes: C, for CLASSIFICATION.
    initializer_range: stddev of the head's initializer (overwritten by a
      conversion).

  Returns:
    `BertClassifier` (logits float32 [B, C]), built as `longformer/glue`
    builds it with `use_encoder_pooler: false`, or `BertSpanLabeler`
    (start and end logits, float32 [B, T] each).
  """
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
  raise ValueError(f'head={head!r} must be one of {list(_HEAD_MARKERS)}.')


def encoder_of(task_model):
  """The encoder inside a `BertClassifier` or `BertSpanLabeler`."""
  return task_model.checkpoint_items['encoder']


def task_model_yaml(head: Optional[str], num_classes: int = 0) -> dict:
  """`task.model` fields (besides the encoder) that rebuild the task model."""
  if head == CLASSIFICATION:
    return {'num_classes': num_classes, 'use_encoder_pooler': False}
  return {}
