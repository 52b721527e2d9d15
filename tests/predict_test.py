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

"""utils/predict.py: answers and labels from raw text, called in process.

QA: the SQuAD tool windows a small SQuAD JSON; a tiny `longformer/squad`
model_dir with random weights is evaluated by `train.py --mode=eval` (one
subprocess), and predict's answers on the same JSON must equal the
`predictions.json` that evaluation wrote, from the model_dir and from its
exported SavedModel. Classifier: a tiny `longformer/glue` model_dir labels
documents; the probabilities must equal the Keras model's softmax on the
tokenizer's own encoding.
"""
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf
import transformers

from official.core import exp_factory
from official.core import task_factory
from official.core import train_utils
import longformer  # pylint: disable=unused-import
from longformer.serving import saved_model_export
import squad_to_tfrecord_test as squad_data
import tiny_experiment
import tiny_tokenizer
from utils import predict as predict_cli

_TRAIN_PY = os.path.join(tiny_experiment.REPO_DIR, 'train.py')
_T = 48
_MAX_QUERY_LENGTH = 10
_DOC_STRIDE = 8
_VOCAB = 400  # the tiny tokenizer's
_OTHER_CONTEXT = ('Nobody knows whether the answer lies far from the first '
                  'token, and the crowd is not listening.')


def new_dir(test):
  """A new empty folder under the test's temporary folder."""
  return tempfile.mkdtemp(dir=test.get_temp_dir())


def run_predict(*args):
  """(exit code, stdout) of predict's main in this process."""
  out = io.StringIO()
  code = 0
  with contextlib.redirect_stdout(out):
    try:
      predict_cli.main(['predict.py', *args])
    except SystemExit as e:
      code, message = 1, str(e.code)
      print(message)
  return code, out.getvalue()


def encoder(**overrides):
  return dict(tiny_experiment.ENCODER, vocab_size=_VOCAB,
              max_position_embeddings=_T + 2, **overrides)


def save_random(params, model_dir, seed):
  """Writes params.yaml and a checkpoint of random non-initial weights."""
  train_utils.serialize_config(params, model_dir)
  model = task_factory.get_task(params.task).build_model()
  rng = np.random.default_rng(seed)
  for variable in model.variables:
    variable.assign(rng.normal(0, 0.3, variable.shape).astype(np.float32))
  tf.train.Checkpoint(model=model).save(os.path.join(model_dir, 'ckpt'))
  return model


def _squad_overrides(records):
  return {
      'task': {
          'model': {'encoder': {'type': 'any', 'any': encoder(
              attention_window=[8], global_tokens='marked',
              global_attention_size=1 + _MAX_QUERY_LENGTH)}},
          'n_best_size': _T, 'max_answer_length': 8,  # every span tried
          'validation_features_path': os.path.join(records,
                                                    'eval_features.jsonl'),
          'train_data': {'input_path': os.path.join(records, 'train.tf_record'),
                         'global_batch_size': 4, 'seq_length': _T},
          'validation_data': {
              'input_path': os.path.join(records, 'eval.tf_record'),
              'global_batch_size': 4, 'seq_length': _T},
      },
      'trainer': {'validation_steps': -1},
  }


def _squad_json():
  """The SQuAD tool test's questions plus one about another context."""
  data = squad_data.squad_json()
  context = _OTHER_CONTEXT
  data['data'][0]['paragraphs'].append({'context': context, 'qas': [{
      'id': 'far', 'question': 'What lies far?',
      'answers': [{'text': 'the answer',
                   'answer_start': context.index('the answer')}]}]})
  return data


class QuestionAnsweringTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    tmp = cls.tmp = tf.compat.v1.test.get_temp_dir()
    cls.tokenizer = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(tmp, 'tokenizer'))
    cls.json_path = os.path.join(tmp, 'squad.json')
    with open(cls.json_path, 'w') as f:
      json.dump(_squad_json(), f)
    records = os.path.join(tmp, 'records')
    squad_data.run_tool([
        f'--train_file={cls.json_path}', f'--eval_file={cls.json_path}',
        f'--tokenizer={cls.tokenizer}', f'--max_seq_length={_T}',
        f'--doc_stride={_DOC_STRIDE}',
        f'--max_query_length={_MAX_QUERY_LENGTH}', f'--output_dir={records}'])
    params = exp_factory.get_exp_config('longformer/squad')
    overrides = _squad_overrides(records)
    params.override(overrides, is_strict=True)
    cls.model_dir = os.path.join(tmp, 'model')
    save_random(params, cls.model_dir, seed=3)
    result = subprocess.run(
        [sys.executable, _TRAIN_PY, '--experiment=longformer/squad',
         f'--params_override={json.dumps(overrides)}', '--mode=eval',
         f'--model_dir={cls.model_dir}'],
        env=dict(os.environ, CUDA_VISIBLE_DEVICES=''),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    with open(os.path.join(cls.model_dir, 'predictions.json')) as f:
      cls.eval_predictions = json.load(f)

  def _predict_json(self, *flags):
    output_dir = new_dir(self)
    code, out = run_predict(
        f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
        f'--squad_json={self.json_path}', f'--output_dir={output_dir}',
        *flags)
    self.assertEqual(code, 0, out)
    with open(os.path.join(output_dir, 'predictions.json')) as f:
      return json.load(f), out

  def test_answers_equal_train_py_eval_predictions(self):
    predictions, out = self._predict_json('--batch_size=3')
    self.assertEqual(predictions, self.eval_predictions)
    self.assertEqual(set(predictions), {'far', *(i for i, _, _ in
                                                 squad_data.GOOD)})
    # Not a degenerate model: the questions get different answers.
    self.assertGreater(len(set(predictions.values())), 1, predictions)
    self.assertIn('OK: 4 questions answered', out)
    self.assertIn('skipped: 1 answer_not_at_offset, 1 empty_context, '
                  '1 question_too_long', out)
    self.assertIn(f'doc_stride {_DOC_STRIDE}); ', out)  # the data tool's

  def test_window_flags_change_the_windows(self):
    _, default = self._predict_json()
    _, strided = self._predict_json('--doc_stride=4', '--max_seq_length=40')
    windows = lambda out: int(out.split(' windows of ')[0].split('(')[-1])
    self.assertIn('windows of 40 tokens, doc_stride 4)', strided)
    self.assertGreater(windows(strided), windows(default))

  def test_max_query_length_skips_longer_questions(self):
    # GOOD's questions have 8 tokens ('far' fewer); the data tool allowed 10.
    code, out = run_predict(
        f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
        f'--squad_json={self.json_path}', f'--output_dir={new_dir(self)}',
        '--max_query_length=7')
    self.assertEqual(code, 0, out)
    self.assertIn('OK: 1 questions answered', out)
    self.assertIn('skipped: 1 answer_not_at_offset, 1 empty_context, '
                  '4 question_too_long', out)

  def test_zero_window_flags_are_refused_not_defaulted(self):
    for flag in ('--doc_stride=0', '--max_seq_length=0',
                 '--max_query_length=0'):
      output_dir = new_dir(self)
      code, out = run_predict(
          f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
          f'--squad_json={self.json_path}', f'--output_dir={output_dir}',
          flag)
      self.assertEqual(code, 1, out)
      self.assertIn(f'{flag} must be a positive integer', out)
      self.assertEqual(os.listdir(output_dir), [])

  def test_exported_saved_model_answers_one_question_the_same(self):
    export_dir = os.path.join(new_dir(self), 'serving')
    params = exp_factory.get_exp_config('longformer/squad')
    params.override(_squad_overrides(os.path.join(self.tmp, 'records')),
                    is_strict=True)
    saved_model_export.export(params, tf.train.latest_checkpoint(
        self.model_dir), export_dir, _T)
    context_file = os.path.join(new_dir(self), 'ctx.txt')
    with open(context_file, 'w') as f:
      f.write(squad_data.CONTEXT)
    for qas_id, question, _ in squad_data.GOOD:
      output_dir = new_dir(self)
      code, out = run_predict(
          f'--model={export_dir}', f'--tokenizer={self.tokenizer}',
          f'--question={question}', f'--context_file={context_file}',
          f'--output_dir={output_dir}')
      self.assertEqual(code, 0, out)
      with open(os.path.join(output_dir, 'predictions.json')) as f:
        self.assertEqual(json.load(f),
                         {'question': self.eval_predictions[qas_id]})
    # Longer windows than the position table: the SavedModel's assertion
    # (InvalidArgumentError) is a FAILED line naming it, nothing written.
    output_dir = new_dir(self)
    code, out = run_predict(
        f'--model={export_dir}', f'--tokenizer={self.tokenizer}',
        f'--question={question}', f'--context_file={context_file}',
        f'--output_dir={output_dir}', f'--max_seq_length={_T + 16}')
    self.assertEqual(code, 1, out)
    self.assertIn('FAILED: nothing was written', out)
    self.assertIn('Input sequence length must be in [1, ', out)
    self.assertEqual(os.listdir(output_dir), [])

  def test_existing_output_is_refused_unless_overwrite(self):
    output_dir = new_dir(self)
    path = os.path.join(output_dir, 'predictions.json')
    with open(path, 'w') as f:
      f.write('old')
    args = (f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
            f'--squad_json={self.json_path}', f'--output_dir={output_dir}')
    code, out = run_predict(*args)
    self.assertEqual(code, 1)
    self.assertIn('Output already exists', out)
    with open(path) as f:
      self.assertEqual(f.read(), 'old')
    code, out = run_predict(*args, '--overwrite')
    self.assertEqual(code, 0, out)
    with open(path) as f:
      self.assertEqual(json.load(f), self.eval_predictions)
    self.assertEqual(os.listdir(output_dir), ['predictions.json'])

  def test_a_classifier_input_for_a_qa_model_is_refused(self):
    docs = os.path.join(new_dir(self), 'docs.jsonl')
    with open(docs, 'w') as f:
      f.write('{"text": "a cat"}\n')
    code, out = run_predict(
        f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
        f'--documents={docs}',
        f'--output_dir={new_dir(self)}')
    self.assertEqual(code, 1)
    self.assertIn('is a question_answering model; these inputs need a '
                  'classifier model', out)


class ClassifierTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    tmp = tf.compat.v1.test.get_temp_dir()
    cls.tokenizer = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(tmp, 'cls_tokenizer'))
    params = exp_factory.get_exp_config('longformer/glue')
    params.override({'task': {
        'model': {'num_classes': 3,
                  'encoder': {'type': 'any', 'any': encoder()}},
        'train_data': {'seq_length': 32},
        'validation_data': {'seq_length': 32}}}, is_strict=True)
    cls.model_dir = os.path.join(tmp, 'cls_model')
    cls.model = save_random(params, cls.model_dir, seed=4)
    cls.texts = {'a': 'The cat sat on the mat.',
                 'b': 'A man is playing a guitar, and the crowd is not '
                      'listening. ' * 3,
                 'c': 'Nobody knows.'}

  def _keras_probabilities(self, text, length):
    tokenizer = transformers.AutoTokenizer.from_pretrained(self.tokenizer)
    ids = tokenizer(text)['input_ids']
    ids = ids[:length - 1] + ids[-1:] if len(ids) > length else ids
    mask = [1] * len(ids) + [0] * (length - len(ids))
    ids = ids + [tokenizer.pad_token_id] * (length - len(ids))
    logits = self.model(dict(input_word_ids=np.array([ids]),
                             input_mask=np.array([mask]),
                             input_type_ids=np.zeros((1, length), np.int32)),
                        training=False).numpy()[0].astype(np.float64)
    return np.exp(logits) / np.exp(logits).sum()

  def _check(self, rows, names, length):
    self.assertEqual([r['id'] for r in rows], sorted(self.texts))
    for row in rows:
      want = self._keras_probabilities(self.texts[row['id']], length)
      got = [row['probabilities'][n] for n in names]
      np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
      self.assertEqual(row['label'], names[int(np.argmax(want))])

  def test_jsonl_labels_equal_the_keras_softmax(self):
    docs = os.path.join(new_dir(self), 'docs.jsonl')
    with open(docs, 'w') as f:
      for doc_id, text in sorted(self.texts.items()):
        f.write(json.dumps({'id': doc_id, 'text': text}) + '\n')
      f.write(json.dumps({'id': 'blank', 'text': '  '}) + '\n')
    output_dir = new_dir(self)
    code, out = run_predict(
        f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
        f'--documents={docs}', f'--output_dir={output_dir}',
        '--label_names=neg,neutral,pos')
    self.assertEqual(code, 0, out)
    self.assertIn('OK: 3 documents labelled (1 cut to 32 tokens); skipped: '
                  '1 empty text', out)
    with open(os.path.join(output_dir, 'labels.jsonl')) as f:
      rows = [json.loads(line) for line in f]
    self._check(rows, ['neg', 'neutral', 'pos'], 32)
    # Negative control: the documents get different probabilities.
    self.assertNotEqual(rows[0]['probabilities'], rows[1]['probabilities'])

  def test_folder_of_texts_cut_to_max_seq_length(self):
    folder = new_dir(self)
    for doc_id, text in self.texts.items():
      with open(os.path.join(folder, doc_id), 'w') as f:
        f.write(text)
      os.rename(os.path.join(folder, doc_id),
                os.path.join(folder, doc_id + '.txt'))
    with open(os.path.join(folder, 'README.md'), 'w') as f:
      f.write('not a document')
    output_dir = new_dir(self)
    code, out = run_predict(
        f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
        f'--documents={folder}', f'--output_dir={output_dir}',
        '--max_seq_length=12')
    self.assertEqual(code, 0, out)
    self.assertIn('(1 cut to 12 tokens)', out)
    self.assertIn('skipped: 1 not a .txt file', out)  # README.md, counted
    with open(os.path.join(output_dir, 'labels.jsonl')) as f:
      rows = [json.loads(line) for line in f]
    for row in rows:
      row['id'] = row['id'][:-len('.txt')]
    self._check(rows, ['0', '1', '2'], 12)

  def test_bad_jsonl_line_is_named_with_its_file_and_line(self):
    good = '{"id": "a", "text": "a cat"}\n'
    cases = [('{"text": "a dog"', r':2: not JSON \(Expecting .*\)\. Each '
              r'line must be one JSON object, e\.g\. \{"text": '),
             ('"a dog"', r':2: expected a JSON object, got a string '
              r'\("a dog"\)'),
             ('{"body": "a dog"}', r""":2: no "text" \(keys: \['body'\]\); """
              r'expected an object with a string "text"'),
             ('{"text": 7}', r':2: "text" is 7; expected an object'),
             ('{"id": null, "text": "a dog"}',
              r':2: "id" is None; give a string or an integer')]
    for bad_line, message in cases:
      with self.subTest(bad_line=bad_line):
        docs = os.path.join(new_dir(self), 'docs.jsonl')
        with open(docs, 'w') as f:
          f.write(good + bad_line + '\n')
        output_dir = new_dir(self)
        code, out = run_predict(
            f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
            f'--documents={docs}', f'--output_dir={output_dir}')
        self.assertEqual(code, 1)
        self.assertRegex(out, re.escape(docs) + message)
        self.assertEqual(os.listdir(output_dir), [])

  def test_wrong_number_of_label_names_is_refused(self):
    docs = os.path.join(new_dir(self), 'docs.jsonl')
    with open(docs, 'w') as f:
      f.write('{"text": "a cat"}\n')
    output_dir = new_dir(self)
    code, out = run_predict(
        f'--model={self.model_dir}', f'--tokenizer={self.tokenizer}',
        f'--documents={docs}', f'--output_dir={output_dir}',
        '--label_names=neg,pos')
    self.assertEqual(code, 1)
    self.assertIn('--label_names has 2 names but the model has 3 classes', out)
    self.assertEqual(os.listdir(output_dir), [])


class CommandLineTest(tf.test.TestCase):

  def test_script_runs_and_names_a_bad_model_path(self):
    """The one real subprocess: absl's app.run with predict's own flags."""
    missing = os.path.join(self.get_temp_dir(), 'no_model')
    output_dir = os.path.join(self.get_temp_dir(), 'out')
    result = subprocess.run(
        [sys.executable, os.path.join(tiny_experiment.REPO_DIR, 'utils',
                                      'predict.py'),
         f'--model={missing}', '--tokenizer=unused', '--question=Who?',
         f'--context_file={missing}', f'--output_dir={output_dir}'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=300, check=False, env=dict(os.environ, CUDA_VISIBLE_DEVICES=''))
    self.assertEqual(result.returncode, 1, result.stderr[-2000:])
    self.assertIn(f'FAILED: nothing was written to {output_dir}.',
                  result.stdout)
    self.assertIn(f'--model={missing} is neither a SavedModel', result.stderr)
    self.assertFalse(os.path.exists(output_dir))


if __name__ == '__main__':
  tf.test.main()
