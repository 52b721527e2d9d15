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

"""Exports a `longformer/glue` or `longformer/squad` model as a SavedModel.

The export modules are Model Garden's, adapted for RoBERTa vocabularies:
`sentence_prediction_module` (classifier: `outputs` logits) and
`question_answering_module` (span labeler: `start_logits`, `end_logits`,
plus, with `global_tokens: marked`, a signature taking HF's
`global_attention_mask`). Model Garden's
`export_savedmodel_util.export` saves them.

`export` writes to a hidden folder beside the output, reloads it, calls
every signature on a padded random batch (global tokens marked where the
encoder reads marks) and compares each output with the Keras model; only
then is the folder renamed into place. It also writes
`assets.extra/longformer_inference.json` (`INFERENCE_CONFIG`): what
`utils/predict.py` needs to window text for the model (lengths, global
tokens, answer search settings, a classifier's label names from the data
tool's metadata).
"""
import json
import os
from typing import Dict
from typing import Tuple

import numpy as np
import tensorflow as tf

from official.core import config_definitions as cfg
from official.core import task_factory
from official.nlp.serving import export_savedmodel_util
from longformer.files import staged_output
from longformer.data import metadata
from longformer.serving import question_answering_module as qa_module
from longformer.serving import sentence_prediction_module
from longformer.tasks import question_answering as qa_task

# Re-exported: the classifier's export module.
LongformerSentencePrediction = (
    sentence_prediction_module.LongformerSentencePrediction)
# Function key -> signature key, per kind of model.
SIGNATURES = {'serve': 'serving_default', 'serve_examples': 'serve_examples'}
QA_SIGNATURES = dict(SIGNATURES, **{
    qa_module.GLOBAL_ATTENTION_MASK_SIGNATURE:
        qa_module.GLOBAL_ATTENTION_MASK_SIGNATURE})
# Written into the SavedModel beside its variables, read by predict.
INFERENCE_CONFIG = os.path.join('assets.extra', 'longformer_inference.json')
CLASSIFIER = 'classifier'
QUESTION_ANSWERING = 'question_answering'
# The reloaded SavedModel runs the same float32 graph as the Keras model;
# only op scheduling may differ.
VERIFY_ATOL = 1e-5
_PAD_ID = 1  # RoBERTa's <pad>
_VERIFY_BATCH = 3


def model_kind(params: cfg.ExperimentConfig) -> str:
  """QUESTION_ANSWERING for a `longformer/squad` task, else CLASSIFIER."""
  if isinstance(params.task, qa_task.LongformerQuestionAnsweringConfig):
    return QUESTION_ANSWERING
  return CLASSIFIER


def signatures_of(params: cfg.ExperimentConfig) -> Dict[str, str]:
  """{function key: signature key} exported for `params`' kind of model.

  A span labeler gets `serve_global_attention_mask` only with
  `global_tokens: marked` (see `omitted_signatures`).
  """
  if model_kind(params) != QUESTION_ANSWERING:
    return SIGNATURES
  return SIGNATURES if omitted_signatures(params) else QA_SIGNATURES


def omitted_signatures(params: cfg.ExperimentConfig) -> Dict[str, str]:
  """{signature key: why it is not exported} for `params`' model.

  `serve_global_attention_mask` turns HF's global_attention_mask into
  input_mask 2, which only a `global_tokens: marked` encoder reads; a
  `first` encoder makes its first global_attention_size tokens global by
  position, whatever the mask says (and refuses 2s).
  """
  encoder = params.task.model.encoder.get()
  if (model_kind(params) != QUESTION_ANSWERING or
      encoder.global_tokens == 'marked'):
    return {}
  return {qa_module.GLOBAL_ATTENTION_MASK_SIGNATURE: (
      f'the encoder has global_tokens: {encoder.global_tokens} (its first '
      f'{encoder.global_attention_size} real tokens are global by position, '
      'so an HF global_attention_mask cannot choose them); train with '
      'global_tokens: marked to serve HF-style masks')}


def build_export_module(params: cfg.ExperimentConfig, seq_length: int):
  """The export module around a freshly built `params.task` model.

  Args:
    params: a `longformer/glue` or `longformer/squad` experiment config
      (e.g. a run's params.yaml).
    seq_length: the length of the `input_ids` feature `serve_examples` parses.
  """
  model = task_factory.get_task(params.task).build_model()
  if model_kind(params) == QUESTION_ANSWERING:
    return qa_module.LongformerQuestionAnswering(
        params=qa_module.LongformerQuestionAnswering.Params(
            use_v2_feature_names=False, parse_sequence_length=seq_length),
        model=model)
  return LongformerSentencePrediction(
      params=LongformerSentencePrediction.Params(
          inputs_only=False, use_v2_feature_names=False,
          parse_sequence_length=seq_length), model=model)


def inference_config(params: cfg.ExperimentConfig, seq_length: int) -> Dict:
  """What a predictor needs to know about the exported model."""
  encoder = params.task.model.encoder.get()
  config = {
      'kind': model_kind(params), 'seq_length': seq_length,
      'vocab_size': encoder.vocab_size,
      'global_tokens': encoder.global_tokens,
      'global_attention_size': encoder.global_attention_size,
  }
  data = metadata.find_metadata([params.task.train_data.input_path,
                                 params.task.validation_data.input_path])
  if config['kind'] == QUESTION_ANSWERING:
    config.update(
        doc_stride=(data or {}).get('doc_stride'),
        max_query_length=(data or {}).get('max_query_length'),
        n_best_size=params.task.n_best_size,
        max_answer_length=params.task.max_answer_length,
        null_score_diff_threshold=params.task.null_score_diff_threshold,
        version_2_with_negative=(
            params.task.validation_data.version_2_with_negative))
  else:
    config['num_classes'] = params.task.model.num_classes
    config['label_names'] = metadata.label_names(data, config['num_classes'])
  return config


def random_batch(config: Dict, batch: int, length: int
                 ) -> Dict[str, np.ndarray]:
  """int32 [batch, length] ids and mask; the last row half padding.

  `<s>` (id 0) comes first; with `global_tokens: marked` the first few real
  tokens of each row are marked 2 (global), as the SQuAD tool marks `<s>`
  and the question.
  """
  rng = np.random.default_rng(0)
  ids = rng.integers(3, config['vocab_size'], size=(batch, length))
  ids[:, 0] = 0
  mask = np.ones_like(ids)
  mask[-1, max(1, length // 2):] = 0
  ids[mask == 0] = _PAD_ID
  if config['global_tokens'] == 'marked':
    marked = min(config['global_attention_size'], 3, max(1, length // 2))
    mask[:, :marked] = 2
  return dict(input_word_ids=ids.astype(np.int32),
              input_mask=mask.astype(np.int32))


def serialized_examples(batch: Dict[str, np.ndarray]) -> tf.Tensor:
  """The batch as tf.train.Examples with the data tools' feature names."""
  feature = lambda v: tf.train.Feature(int64_list=tf.train.Int64List(
      value=list(v)))
  return tf.constant([tf.train.Example(features=tf.train.Features(feature={
      'input_ids': feature(ids), 'input_mask': feature(mask),
      'segment_ids': feature([0] * len(ids))})).SerializeToString()
                      for ids, mask in zip(batch['input_word_ids'],
                                           batch['input_mask'])])


def signature_inputs(name: str, batch: Dict[str, np.ndarray]) -> Dict:
  """The keyword arguments of signature `name` for `batch`."""
  if name == 'serve_examples':
    return dict(examples=serialized_examples(batch))
  mask = batch['input_mask']
  if name == qa_module.GLOBAL_ATTENTION_MASK_SIGNATURE:
    return dict(input_word_ids=tf.constant(batch['input_word_ids']),
                input_mask=tf.constant(np.minimum(mask, 1)),
                global_attention_mask=tf.constant((mask == 2).astype(
                    np.int32)))
  return {k: tf.constant(v) for k, v in batch.items()}


def keras_outputs_graph(model, input_word_ids, input_mask
                        ) -> Dict[str, tf.Tensor]:
  """The Keras model's outputs under the signatures' output names.

  Args:
    model: the task's Keras model.
    input_word_ids, input_mask: int32 [B, T].

  Returns:
    {'start_logits', 'end_logits'} float32 [B, T] for a span labeler,
    {'outputs'} float32 [B, num_classes] for a classifier.
  """
  outputs = model(dict(input_word_ids=input_word_ids, input_mask=input_mask,
                       input_type_ids=tf.zeros_like(input_word_ids)),
                  training=False)
  if isinstance(outputs, (list, tuple)):
    return dict(start_logits=outputs[0], end_logits=outputs[1])
  return dict(outputs=outputs)


def keras_outputs(model, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
  """`keras_outputs_graph` of a NumPy batch, as NumPy."""
  outputs = keras_outputs_graph(model, tf.constant(batch['input_word_ids']),
                                tf.constant(batch['input_mask']))
  return {k: v.numpy() for k, v in outputs.items()}


def verify(export_dir: str, model, config: Dict) -> Tuple[float, Dict]:
  """Calls every signature of the reloaded SavedModel; compares with Keras.

  Returns:
    (max abs difference over every signature and output, {signature: its
    max abs difference}).

  Raises:
    ValueError: above `VERIFY_ATOL`, naming the signature and output.
  """
  batch = random_batch(config, _VERIFY_BATCH, config['seq_length'])
  want = keras_outputs(model, batch)
  diffs = {}
  for name, function in tf.saved_model.load(export_dir).signatures.items():
    try:
      got = function(**signature_inputs(name, batch))
    except tf.errors.OpError as e:
      raise ValueError(
          f'The exported signature {name!r} fails on a batch of '
          f'{_VERIFY_BATCH} x {config["seq_length"]} tokens; nothing '
          f'written. {type(e).__name__}: {e.message}') from None
    for key, expected in want.items():
      diff = float(np.abs(got[key].numpy() - expected).max())
      if not diff <= VERIFY_ATOL:
        raise ValueError(
            f'The exported signature {name!r} ({key}) differs from the Keras '
            f'model by {diff} (tolerance {VERIFY_ATOL}); nothing written.')
      diffs[name] = max(diffs.get(name, 0.0), diff)
  return max(diffs.values()), diffs


def export(params: cfg.ExperimentConfig, checkpoint_path: str,
           output_dir: str, seq_length: int,
           overwrite: bool = False) -> Tuple[float, Dict]:
  """Restores `checkpoint_path`, exports, verifies, moves to `output_dir`.

  Args:
    params: the run's experiment config (`longformer/glue` or
      `longformer/squad`).
    checkpoint_path: a train.py checkpoint prefix or its model_dir.
    output_dir: where the SavedModel appears, complete and verified.
    seq_length: the example length `serve_examples` parses (and the length
      the check calls every signature at).
    overwrite: replace an existing `output_dir` (its whole content).

  Returns:
    `verify`'s (max abs difference, {signature: max abs difference}).

  Raises:
    staged_output.OutputExistsError: output_dir exists and not `overwrite`.
    ValueError: the checkpoint does not fit, or verification failed.
  """
  staged_output.refuse_existing([output_dir], overwrite)
  module = build_export_module(params, seq_length)
  config = inference_config(params, seq_length)
  with staged_output.staged(output_dir, ('*',), overwrite) as stage:
    export_savedmodel_util.export(
        module, function_keys=dict(signatures_of(params)),
        export_savedmodel_dir=stage.path, checkpoint_path=checkpoint_path,
        timestamped=False)
    result = verify(stage.path, module.model, config)
    tf.io.gfile.makedirs(os.path.join(stage.path, 'assets.extra'))
    with tf.io.gfile.GFile(os.path.join(stage.path, INFERENCE_CONFIG),
                           'w') as f:
      json.dump(config, f, indent=2)
    stage.publish()
  return result
