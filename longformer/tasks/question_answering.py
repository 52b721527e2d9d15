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

"""Model Garden's question answering task for BPE windows with offsets.

`LongformerQuestionAnsweringTask` is Model Garden's `QuestionAnsweringTask`
(span labeler over the encoder, its loss, inputs, validation step and logit
aggregation) with the evaluation data path replaced. Model Garden's task
re-tokenizes the raw SQuAD JSON with WordPiece or SentencePiece (`[CLS]`,
`[SEP]`, padding id 0) at evaluation; here the evaluation data are what
`utils/squad_to_tfrecord.py` wrote with the model's own BPE tokenizer:

  validation_data.input_path: the eval TFRecord (`unique_ids` per window).
  validation_features_path: the eval features file (JSON lines): each
    question's id, context, gold answers and, per window, the character
    offsets of its context tokens.

The evaluation maps the best start / end logits back to context text
(`squad_postprocess`), writes `<model_dir>/predictions.json` ({question id:
answer text}, SQuAD's format) and reports exact match and F1 in [0, 1] from
Model Garden's SQuAD v1.1 or v2.0 evaluation.
"""
import dataclasses
import json

from absl import logging
import numpy as np
import tensorflow as tf

from official.core import base_task
from official.core import task_factory
from official.nlp.data import data_loader_factory
from official.nlp.data import question_answering_dataloader
from official.nlp.tasks import question_answering
from longformer.data import squad_postprocess
from longformer.files import staged_output

PREDICTIONS_FILE = 'predictions.json'


@dataclasses.dataclass
class LongformerQuestionAnsweringConfig(
    question_answering.QuestionAnsweringConfig):
  """`QuestionAnsweringConfig` plus the evaluation features file.

  Attributes:
    validation_features_path: the eval features file (JSON lines) written
      with `validation_data.input_path` by `utils/squad_to_tfrecord.py`.
  """
  validation_features_path: str = ''
  train_data: question_answering_dataloader.QADataConfig = dataclasses.field(
      default_factory=question_answering_dataloader.QADataConfig)
  validation_data: question_answering_dataloader.QADataConfig = (
      dataclasses.field(
          default_factory=lambda: question_answering_dataloader.QADataConfig(
              is_training=False, drop_remainder=False)))


@task_factory.register_task_cls(LongformerQuestionAnsweringConfig)
class LongformerQuestionAnsweringTask(question_answering.QuestionAnsweringTask):
  """Extractive QA whose evaluation reads pre-tokenized windows and offsets."""

  def __init__(self, params: LongformerQuestionAnsweringConfig,
               logging_dir=None, name=None):
    # Skips QuestionAnsweringTask.__init__, which tokenizes the eval JSON
    # with WordPiece / SentencePiece.
    # pylint: disable-next=non-parent-init-called
    base_task.Task.__init__(self, params, logging_dir, name=name)
    self._eval_examples = []
    if params.validation_data and params.validation_data.input_path:
      if not params.validation_features_path:
        raise ValueError(
            'task.validation_features_path is empty: set it to the eval '
            'features file (eval_features.jsonl) that utils/squad_to_tfrecord'
            '.py wrote next to the eval TFRecord.')
      self._eval_examples = squad_postprocess.read_eval_features(
          params.validation_features_path)

  @property
  def eval_examples(self):
    """The evaluation questions, as read from the features file."""
    return self._eval_examples

  def build_inputs(self, params, input_context=None):
    """Reads the TFRecords at `params.input_path` (training or evaluation)."""
    return data_loader_factory.get_data_loader(params).load(input_context)

  def reduce_aggregated_logs(self, aggregated_logs, global_step=None):
    """Maps the logits to answer texts, writes them and scores them.

    Args:
      aggregated_logs: `RawAggregatedResult`s, one per evaluated window.
      global_step: unused.

    Returns:
      {'exact_match', 'final_f1', 'num_evaluated_questions', ...} (see
      `squad_postprocess.evaluate`).
    """
    del global_step
    config = self.task_config
    logits = {int(r.unique_id): (np.asarray(r.start_logits, np.float32),
                                 np.asarray(r.end_logits, np.float32))
              for r in aggregated_logs}
    version_2 = config.validation_data.version_2_with_negative
    predictions, scores_diff, left_out = squad_postprocess.predict_answers(
        self._eval_examples, logits, config.n_best_size,
        config.max_answer_length, version_2, config.null_score_diff_threshold)
    if left_out:
      logging.warning(
          '%d of %d eval questions have windows the evaluation did not reach '
          '(validation_steps too small?); they are left out of the metrics.',
          left_out, len(self._eval_examples))
    if not predictions:
      raise ValueError('No eval question has logits for all its windows; '
                       'set trainer.validation_steps to -1 (the whole set).')
    self._write_predictions(predictions)
    metrics = squad_postprocess.evaluate(self._eval_examples, predictions,
                                         scores_diff, version_2)
    metrics['num_evaluated_questions'] = float(len(predictions))
    logging.info(
        'SQuAD exact match %.4f, F1 %.4f over %d questions (the metrics\' '
        'denominator): %d in the eval features file, %s',
        metrics['exact_match'], metrics['final_f1'], len(predictions),
        len(self._eval_examples), squad_postprocess.file_summary(
            self.task_config.validation_features_path))
    return metrics

  def _write_predictions(self, predictions):
    """Writes predictions JSON into the model dir, replacing the last one."""
    if not self.logging_dir:
      return
    with staged_output.staged(self.logging_dir, [PREDICTIONS_FILE],
                              overwrite=True) as stage:
      staged_output.write_text(stage, PREDICTIONS_FILE, json.dumps(
          predictions, indent=1, ensure_ascii=False))
      path, = stage.publish()
    logging.info('Wrote %d predictions to %s', len(predictions), path)
