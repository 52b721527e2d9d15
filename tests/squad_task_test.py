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

"""End to end: squad_to_tfrecord.py -> TFRecords -> train.py longformer/squad.

Both run in process through their `main` (their subprocess tests are
squad_to_tfrecord_test and train_test), on the tiny SQuAD JSON of
`squad_to_tfrecord_test` and the session's tiny tokenizer; a tiny model with
the question tokens global (`global_tokens: marked`) trains a few steps with
`--mode=train_and_eval`, and the evaluation must log exact match and F1 and
write predictions that are substrings of the original contexts.
"""
import json
import os
import re

import tensorflow as tf

from official.core import exp_factory
from official.modeling import hyperparams
import cli_in_process
import longformer  # pylint: disable=unused-import
import squad_to_tfrecord_test as data

_T = 48
_MAX_QUERY_LENGTH = 10


def _overrides(out_dir):
  """Tiny `longformer/squad` overrides on the tool's output."""
  encoder = {
      'vocab_size': 400, 'hidden_size': 32, 'num_layers': 2,
      'num_attention_heads': 2, 'intermediate_size': 64,
      'max_position_embeddings': _T + 2, 'type_vocab_size': 1,
      'attention_window': [8], 'global_tokens': 'marked',
      'global_attention_size': 1 + _MAX_QUERY_LENGTH,
  }
  return {
      'task': {
          'model': {'encoder': {'type': 'any', 'any': encoder}},
          'n_best_size': 5,
          'max_answer_length': 8,
          'validation_features_path': os.path.join(out_dir,
                                                   'eval_features.jsonl'),
          'train_data': {
              'input_path': os.path.join(out_dir, 'train.tf_record'),
              'global_batch_size': 4, 'seq_length': _T},
          'validation_data': {
              'input_path': os.path.join(out_dir, 'eval.tf_record'),
              'global_batch_size': 4, 'seq_length': _T},
      },
      'trainer': {
          'train_steps': 3, 'steps_per_loop': 1, 'summary_interval': 1,
          'checkpoint_interval': 3, 'validation_interval': 3,
          'validation_steps': -1,
          'optimizer_config': {
              'learning_rate': {'polynomial': {'decay_steps': 3}},
              'warmup': {'polynomial': {'warmup_steps': 1}}},
      },
  }


def test_tool_then_train_and_eval_reports_scores_and_predictions(
    tmp_path, tiny_tokenizer_dir):
  json_path = str(tmp_path / 'squad.json')
  with open(json_path, 'w') as f:
    json.dump(data.squad_json(), f)
  out_dir = str(tmp_path / 'records')
  tool = cli_in_process.run('utils/squad_to_tfrecord.py', [
      f'--train_file={json_path}', f'--eval_file={json_path}',
      f'--tokenizer={tiny_tokenizer_dir}', f'--max_seq_length={_T}',
      '--doc_stride=8', f'--max_query_length={_MAX_QUERY_LENGTH}',
      f'--global_attention_size={1 + _MAX_QUERY_LENGTH}',
      f'--output_dir={out_dir}'])
  assert tool.returncode == 0, tool.stdout[-3000:] + tool.stderr[-3000:]
  model_dir = str(tmp_path / 'model')
  result = cli_in_process.run('train.py', [
      '--experiment=longformer/squad',
      f'--params_override={json.dumps(_overrides(out_dir))}',
      '--mode=train_and_eval', f'--model_dir={model_dir}',
      # Synchronous saves: no checkpoint thread logging into the middle
      # of the eval line this test reads.
      '--enable_async_checkpointing=false'])
  log = result.stdout + result.stderr
  assert result.returncode == 0, log[-5000:]
  # orbit logs the eval: "eval | step: 3 | ... {'exact_match': ..."
  # The metrics dict: one line, or several when pprint wraps long floats.
  eval_line = re.search(r'eval \| step: +3 \| eval time:[^{]*\{[^}]*\}', log)
  assert eval_line, log[-3000:]
  for name in ('exact_match', 'final_f1', 'num_evaluated_questions'):
    assert f"'{name}'" in eval_line.group(0)
  assert "'num_evaluated_questions': 3.0" in eval_line.group(0)
  # The log line names the metrics' denominator and the file's questions.
  assert re.search(
      r"over 3 questions \(the metrics' denominator\): 3 "
      r'in the eval features file, 6 in the SQuAD file \S+squad.json \(3 '
      r'skipped when writing', log), log[-3000:]
  with open(os.path.join(model_dir, 'predictions.json')) as f:
    predictions = json.load(f)
  assert set(predictions) == {i for i, _, _ in data.GOOD}
  for text in predictions.values():
    assert text in data.CONTEXT
  with open(os.path.join(model_dir, 'params.yaml')) as f:
    assert 'global_tokens: marked' in f.read()


class SquadRecipesTest(tf.test.TestCase):

  def _load(self, name):
    params = exp_factory.get_exp_config('longformer/squad')
    params = hyperparams.override_params_dict(
        params, os.path.join(data.REPO_DIR, 'experiments', name),
        is_strict=True)
    params.validate()
    return params

  def test_recipes_mark_question_tokens_global_with_enough_slots(self):
    # (yaml, the tool's --max_query_length in its comments, seq length)
    for name, max_query_length, seq_length in (
        ('squad_v1.yaml', 64, 512), ('triviaqa_4096.yaml', 55, 4096),
        ('demo_qa.yaml', 2, 2048)):
      params = self._load(name)
      encoder = params.task.model.encoder.any
      self.assertEqual(encoder.global_tokens, 'marked', name)
      self.assertEqual(encoder.global_attention_size, 1 + max_query_length)
      self.assertEqual(params.task.train_data.seq_length, seq_length)
      self.assertGreaterEqual(encoder.max_position_embeddings, seq_length + 2)
      schedule = params.trainer.optimizer_config.learning_rate.polynomial
      self.assertEqual(schedule.decay_steps, params.trainer.train_steps)
      self.assertEqual(params.trainer.validation_steps, -1)

  def test_triviaqa_steps_are_five_epochs_of_32(self):
    params = self._load('triviaqa_4096.yaml')
    self.assertEqual(params.trainer.train_steps, -(-83568 * 5 // 32))
    self.assertEqual(params.task.train_data.global_batch_size, 32)
    self.assertEqual(
        params.trainer.optimizer_config.learning_rate.polynomial
        .initial_learning_rate, 3e-5)


if __name__ == '__main__':
  tf.test.main()
