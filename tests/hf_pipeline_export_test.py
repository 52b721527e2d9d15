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

"""utils/export_to_hf.py folders work in HF as they are, with our answers.

A tiny `longformer/glue` classifier and a tiny `longformer/squad` span
labeler (train.py model_dirs with random weights) are exported with
`--tokenizer`; HF's `pipeline("text-classification")` and HF's
`AutoTokenizer` + `AutoModelForQuestionAnswering` (transformers 5 has no
question-answering pipeline) on the folders must give the labels,
probabilities and answers `utils/predict.py` gives from the model_dirs. The
classifier's label names come from the data tool's metadata beside its
TFRecords, or from `--label_names`.
"""
import dataclasses
import json
import os

import numpy as np
import tensorflow as tf
import transformers

from official.core import exp_factory
import cli_in_process
import predict_test
import tiny_experiment  # pylint: disable=unused-import  (repository on sys.path)
import tiny_tokenizer

_T = 48
_MAX_ANSWER_LENGTH = 15  # HF's question-answering pipeline default
_LABELS = ['negative', 'neutral', 'positive']
# HF PyTorch vs our TensorFlow float32 (parity tests: ~1e-6).
_ATOL = 1e-5
_TEXTS = {'a': 'The cat sat on the mat.',
          'b': 'A man is playing a guitar, and the crowd is not listening.',
          'c': 'Nobody knows.'}
_QUESTIONS = (
    ('Who is playing?', 'A man is playing a guitar, and the crowd is not '
     'listening.'),
    ('What lies far?', 'Nobody knows whether the answer lies far from the '
     'first token.'))


def _export(*args, check=True):
  """utils/export_to_hf.py in process (its subprocess test is in
  export_to_hf_test.py); stdout holds both of its streams."""
  result = cli_in_process.run('utils/export_to_hf.py', list(args))
  result = dataclasses.replace(result, stdout=result.stdout + result.stderr)
  if check:
    assert result.returncode == 0, result.stdout[-4000:]
  return result


def _hf_question_answering(folder):
  """HF's extractive QA on `folder`: question, context -> answer text.

  transformers 5 removed `pipeline("question-answering")` (its migration
  guide); this is what that pipeline did for one window, with HF's own
  tokenizer and model from the folder: the best start + end logit sum over
  context tokens, at most `_MAX_ANSWER_LENGTH` tokens long. The model marks
  `<s>` and the question global itself (tokens before the first `</s>`).
  """
  import torch  # pylint: disable=g-import-not-at-top
  tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
  model = transformers.AutoModelForQuestionAnswering.from_pretrained(folder)

  def answer(question, context):
    inputs = tokenizer(question, context, return_offsets_mapping=True,
                       return_tensors='pt')
    offsets = inputs.pop('offset_mapping')[0].tolist()
    in_context = [s == 1 for s in inputs.sequence_ids(0)]
    with torch.no_grad():
      outputs = model(**inputs)
    start, end = outputs.start_logits[0], outputs.end_logits[0]
    spans = [(float(start[i] + end[j]), i, j)
             for i in range(len(offsets)) for j in range(len(offsets))
             if in_context[i] and in_context[j] and
             0 <= j - i < _MAX_ANSWER_LENGTH]
    _, i, j = max(spans)
    return context[offsets[i][0]:offsets[j][1]]
  return answer


class HfPipelineExportTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    tmp = cls.tmp = tf.compat.v1.test.get_temp_dir()
    cls.tokenizer = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(tmp, 'hf_tokenizer'))

  def _classifier_dir(self):
    """A glue model_dir whose train_data has the document tool's metadata."""
    data = predict_test.new_dir(self)
    with open(os.path.join(data, 'docs_train.tf_record'), 'w'):
      pass
    with open(os.path.join(data, 'docs_meta_data.json'), 'w') as f:
      json.dump({'task': 'docs', 'labels': _LABELS, 'num_classes': 3}, f)
    params = exp_factory.get_exp_config('longformer/glue')
    params.override({'task': {
        'model': {'num_classes': 3,
                  'encoder': {'type': 'any', 'any': predict_test.encoder()}},
        'train_data': {'seq_length': 32, 'input_path': os.path.join(
            data, 'docs_train.tf_record')},
        'validation_data': {'seq_length': 32}}}, is_strict=True)
    model_dir = os.path.join(predict_test.new_dir(self), 'model')
    predict_test.save_random(params, model_dir, seed=5)
    return model_dir

  def test_text_classification_pipeline_gives_our_labels(self):
    model_dir = self._classifier_dir()
    folder = os.path.join(predict_test.new_dir(self), 'hf')
    result = _export(f'--model_dir={model_dir}', f'--output_dir={folder}',
                     f'--tokenizer={self.tokenizer}')
    self.assertIn('as LongformerForSequenceClassification, labels negative, '
                  'neutral, positive, tokenizer', result.stdout)
    config = transformers.AutoConfig.from_pretrained(folder)
    self.assertEqual(config.label2id, {n: i for i, n in enumerate(_LABELS)})

    docs = os.path.join(predict_test.new_dir(self), 'docs.jsonl')
    with open(docs, 'w') as f:
      f.writelines(json.dumps({'id': i, 'text': t}) + '\n'
                   for i, t in sorted(_TEXTS.items()))
    labels_dir = predict_test.new_dir(self)
    code, out = predict_test.run_predict(
        f'--model={model_dir}', f'--tokenizer={self.tokenizer}',
        f'--documents={docs}', f'--output_dir={labels_dir}')
    self.assertEqual(code, 0, out)
    with open(os.path.join(labels_dir, 'labels.jsonl')) as f:
      ours = [json.loads(line) for line in f]

    classify = transformers.pipeline('text-classification', model=folder,
                                     top_k=None)
    for row in ours:
      theirs = {r['label']: r['score']
                for r in classify([_TEXTS[row['id']]])[0]}
      self.assertEqual(max(theirs, key=theirs.get), row['label'], row['id'])
      np.testing.assert_allclose(
          [theirs[n] for n in _LABELS],
          [row['probabilities'][n] for n in _LABELS], atol=_ATOL, rtol=0)
    # Negative control: the documents are told apart.
    self.assertNotEqual(ours[0]['probabilities'], ours[1]['probabilities'])

  def test_label_names_flag_wins_and_is_checked(self):
    model_dir = self._classifier_dir()
    folder = os.path.join(predict_test.new_dir(self), 'hf')
    _export(f'--model_dir={model_dir}', f'--output_dir={folder}',
            '--label_names=bad,meh,good')
    config = transformers.AutoConfig.from_pretrained(folder)
    self.assertEqual(config.id2label, {0: 'bad', 1: 'meh', 2: 'good'})
    result = _export(f'--model_dir={model_dir}',
                     f'--output_dir={folder}-two', '--label_names=bad,good',
                     check=False)
    self.assertNotEqual(result.returncode, 0)
    self.assertIn('the model has 3 classes; give 3 distinct names',
                  result.stdout)
    self.assertFalse(os.path.exists(folder + '-two'))

  def test_question_answering_pipeline_gives_our_answers(self):
    params = exp_factory.get_exp_config('longformer/squad')
    params.override({'task': {
        'model': {'encoder': {'type': 'any', 'any': predict_test.encoder(
            attention_window=[8], global_tokens='marked',
            global_attention_size=11)}},
        'n_best_size': _T, 'max_answer_length': _MAX_ANSWER_LENGTH,
        'train_data': {'seq_length': _T},
        'validation_data': {'seq_length': _T}}}, is_strict=True)
    model_dir = os.path.join(predict_test.new_dir(self), 'model')
    predict_test.save_random(params, model_dir, seed=6)
    folder = os.path.join(predict_test.new_dir(self), 'hf')
    result = _export(f'--model_dir={model_dir}', f'--output_dir={folder}',
                     f'--tokenizer={self.tokenizer}')
    self.assertIn('as LongformerForQuestionAnswering, tokenizer',
                  result.stdout)

    answer = _hf_question_answering(folder)
    answers = []
    for question, context in _QUESTIONS:
      context_file = os.path.join(predict_test.new_dir(self), 'context.txt')
      with open(context_file, 'w') as f:
        f.write(context)
      output_dir = predict_test.new_dir(self)
      code, out = predict_test.run_predict(
          f'--model={model_dir}', f'--tokenizer={self.tokenizer}',
          f'--question={question}', f'--context_file={context_file}',
          f'--output_dir={output_dir}')
      self.assertEqual(code, 0, out)
      with open(os.path.join(output_dir, 'predictions.json')) as f:
        ours = json.load(f)['question']
      self.assertEqual(answer(question, context), ours, question)
      answers.append(ours)
    self.assertNotIn('', answers)


if __name__ == '__main__':
  tf.test.main()
