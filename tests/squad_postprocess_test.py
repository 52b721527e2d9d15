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

"""Tests for longformer/data/squad_postprocess.py on hand-built logits.

Windows come from `longformer.data.squad` with the tiny BPE tokenizer; the
answer's token positions that the logits point at come from HF's own pair
encoding (`char_to_token`), not from the code under test.
"""
import json
import os
import re

import numpy as np
import tensorflow as tf
import transformers

from official.core import exp_factory
from official.core import task_factory
from longformer.data import squad
from longformer.data import squad_postprocess
import squad_to_tfrecord_test as data
import tiny_tokenizer

_T = 64


def _tokenized(tokenizer, text):
  enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
  return squad.Tokenized(enc['input_ids'], enc['offset_mapping'])


def _pairs(offsets):
  """[text of token i, text of token i + 1] for each i of a window."""
  texts = [data.CONTEXT[a:b] for a, b in offsets]
  return [list(p) for p in zip(texts, texts[1:])]


class SquadPostprocessTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    directory = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(tf.compat.v1.test.get_temp_dir(), 'post_tokenizer'))
    cls._tokenizer = transformers.AutoTokenizer.from_pretrained(directory)

  def _records(self, max_seq_length=_T, doc_stride=128, impossible=False):
    """Eval records of GOOD questions (one window each at T=64)."""
    tok = self._tokenizer
    special = squad.SpecialIds(tok.cls_token_id, tok.sep_token_id,
                               tok.pad_token_id)
    records, uid = [], 0
    qas = data.squad_json(bad=False, impossible=impossible)['data'][0][
        'paragraphs'][0]['qas']
    for qa in qas:
      example, _ = squad.check_question(data.CONTEXT, qa, True)
      windows, reason = squad.make_windows(
          example, _tokenized(tok, example.question),
          _tokenized(tok, data.CONTEXT), special, max_seq_length, 16,
          doc_stride, is_training=False)
      self.assertIsNone(reason)
      uids = list(range(uid, uid + len(windows)))
      uid += len(windows)
      records.append(squad.eval_record(example, windows, uids))
    return records

  def _hf_answer_positions(self, question, answer):
    """Token positions of `answer` in HF's `<s> q </s></s> c </s>`."""
    enc = self._tokenizer(question, data.CONTEXT)
    first_char = data.CONTEXT.index(answer)
    start = enc.char_to_token(first_char, sequence_index=1)
    end = enc.char_to_token(first_char + len(answer) - 1, sequence_index=1)
    return start, end

  def _forced_logits(self, records, spans):
    """Logits 0 everywhere except 10 at each question's (start, end)."""
    logits = {}
    for record in records:
      start, end = spans[record['id']]
      for feature in record['features']:
        s, e = np.zeros(_T, np.float32), np.zeros(_T, np.float32)
        s[start], e[end] = 10.0, 10.0
        logits[feature['unique_id']] = (s, e)
    return logits

  def test_forced_gold_span_gives_gold_text_and_full_scores(self):
    records = self._records()
    spans = {i: self._hf_answer_positions(q, a) for i, q, a in data.GOOD}
    predictions, _, left_out = squad_postprocess.predict_answers(
        records, self._forced_logits(records, spans), n_best_size=5,
        max_answer_length=10, version_2_with_negative=False,
        null_score_diff_threshold=0.0)
    self.assertEqual(left_out, 0)
    self.assertEqual(predictions, {i: a for i, _, a in data.GOOD})
    metrics = squad_postprocess.evaluate(records, predictions, {}, False)
    self.assertEqual(metrics, {'exact_match': 1.0, 'final_f1': 1.0})

  def test_span_shifted_by_one_token_scores_below_one(self):
    records = self._records()
    spans = {}
    for i, q, a in data.GOOD:
      start, end = self._hf_answer_positions(q, a)
      spans[i] = (start + 1, end + 1)
    predictions, _, _ = squad_postprocess.predict_answers(
        records, self._forced_logits(records, spans), 5, 10, False, 0.0)
    for i, _, a in data.GOOD:
      self.assertNotEqual(predictions[i], a)
      self.assertIn(predictions[i], data.CONTEXT)
    metrics = squad_postprocess.evaluate(records, predictions, {}, False)
    self.assertEqual(metrics['exact_match'], 0.0)
    self.assertLess(metrics['final_f1'], 1.0)

  def test_spans_outside_context_or_too_long_are_never_chosen(self):
    records = self._records()
    # The best logits point into the question (position 1) and at an end
    # before the start; only the runner-up span lies in the context.
    spans = {i: self._hf_answer_positions(q, a) for i, q, a in data.GOOD}
    logits = self._forced_logits(records, spans)
    for s, e in logits.values():
      s[1], e[1] = 50.0, 50.0
    predictions, _, _ = squad_postprocess.predict_answers(
        records, logits, 5, 10, False, 0.0)
    self.assertEqual(predictions, {i: a for i, _, a in data.GOOD})
    # max_answer_length 1 rules out the two-token gold spans.
    short, _, _ = squad_postprocess.predict_answers(
        records, self._forced_logits(records, spans), 5, 1, False, 0.0)
    self.assertNotEqual(short['guitar'], 'A man')

  def test_answer_found_in_a_later_window(self):
    # T=24 splits the context into several windows; the logits of every
    # window are zero except in the last one holding 'A man' (the end of the
    # context), found by its offsets' text.
    records = self._records(max_seq_length=24, doc_stride=4)
    record = [r for r in records if r['id'] == 'guitar'][0]
    self.assertGreater(len(record['features']), 3)
    logits = {f['unique_id']: (np.zeros(24, np.float32),
                               np.zeros(24, np.float32))
              for f in record['features']}
    holding = [f for f in record['features']
               if ['A', 'man'] in _pairs(f['offsets'])]
    self.assertNotEqual(holding[-1], record['features'][0])
    feature = holding[-1]
    first = _pairs(feature['offsets']).index(['A', 'man'])
    s, e = logits[feature['unique_id']]
    s[feature['context_start'] + first] = 10.0
    e[feature['context_start'] + first + 1] = 10.0
    predictions, _, left_out = squad_postprocess.predict_answers(
        [record], logits, 5, 10, False, 0.0)
    self.assertEqual(left_out, 0)
    self.assertEqual(predictions, {'guitar': 'A man'})

  def test_version_2_null_answer_and_missing_windows(self):
    records = self._records(impossible=True)
    spans = {i: self._hf_answer_positions(q, a) for i, q, a in data.GOOD}
    spans['none'] = (0, 0)  # <s>: no answer
    logits = self._forced_logits(records, spans)
    predictions, diff, _ = squad_postprocess.predict_answers(
        records, logits, 5, 10, True, 0.0)
    self.assertEqual(predictions['none'], '')
    self.assertGreater(diff['none'], 0.0)
    metrics = squad_postprocess.evaluate(records, predictions, diff, True)
    self.assertEqual(metrics['exact_match'], 1.0)
    self.assertEqual(metrics['has_answer_exact_match'], 1.0)
    # A question whose window has no logits is left out, and counted.
    del logits[records[0]['features'][0]['unique_id']]
    predictions, _, left_out = squad_postprocess.predict_answers(
        records, logits, 5, 10, True, 0.0)
    self.assertEqual(left_out, 1)
    self.assertNotIn(records[0]['id'], predictions)


class FileSummaryTest(tf.test.TestCase):
  """The evaluation's log line: questions in the SQuAD file vs scored."""

  def test_counts_come_from_meta_data_beside_the_features(self):
    directory = self.get_temp_dir()
    features = os.path.join(directory, 'eval_features.jsonl')
    with open(os.path.join(directory, 'meta_data.json'), 'w') as f:
      json.dump({'splits': {'eval': {
          'input': 'dev.json', 'questions_in_file': 10, 'questions': 7,
          'answers_not_at_offset': 2,
          'skipped': {'empty_context': 1, 'question_too_long': 2}}}}, f)
    self.assertEqual(
        squad_postprocess.file_summary(features),
        "10 in the SQuAD file dev.json (3 skipped when writing: "
        "{'empty_context': 1, 'question_too_long': 2}; 2 misaligned gold "
        'answers left out)')

  def test_without_meta_data_says_so(self):
    self.assertIn('no meta_data.json', squad_postprocess.file_summary(
        os.path.join(self.get_temp_dir(), 'nowhere', 'eval_features.jsonl')))


class ReadEvalFeaturesTest(tf.test.TestCase):
  """A wrong task.validation_features_path, through the task that reads it."""

  def _task_reading(self, content: bytes):
    path = os.path.join(self.get_temp_dir(), 'features.jsonl')
    with open(path, 'wb') as f:
      f.write(content)
    config = exp_factory.get_exp_config('longformer/squad')
    config.task.validation_data.input_path = 'eval.tf_record'
    config.task.validation_features_path = path
    return path, lambda: task_factory.get_task(config.task)

  def test_a_features_file_reads_back(self):
    line = {'id': 'q1', 'context': 'c', 'answers': ['c'],
            'is_impossible': False,
            'features': [{'unique_id': 7, 'context_start': 3,
                          'offsets': [[0, 1]]}]}
    _, make = self._task_reading(
        (json.dumps(line) + '\n\n' + json.dumps(line) + '\n').encode())
    self.assertEqual(make().eval_examples, [line, line])

  def test_a_wrong_file_is_named_with_its_line(self):
    good = json.dumps({'id': 'q', 'context': '', 'answers': [],
                       'features': []})
    cases = {
        'not JSON': ((good + '\n{"id": \n').encode(),
                     r':2: not JSON \('),
        'another JSON lines file': (b'{"text": "a", "label": "b"}\n',
                                    r':1: no id, context, answers, features '
                                    r'field: not a line of an evaluation'),
        'not an object': ((good + '\n\n[1, 2]\n').encode(),
                          r':3: expected a JSON object, got an array'),
        'a TFRecord': (b'\x80\x00\x00\xff\xfe\n', r': not a text file'),
    }
    for name, (content, reason) in cases.items():
      path, make = self._task_reading(content)
      with self.assertRaisesRegex(
          ValueError, re.escape(path) + reason + r'.*Is '
          r'task\.validation_features_path the eval_features\.jsonl',
          msg=name):
        make()


if __name__ == '__main__':
  tf.test.main()
