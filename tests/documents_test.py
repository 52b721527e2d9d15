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

"""Tests for long-document classification data (`longformer.data.documents`).

Readers and the encoder are tested in process; the end-to-end test runs the
tokenizer CLI and then `train.py --experiment=longformer/glue` as a user
would, on documents longer than one attention window. Expected ids come from
the tokenizer's own truncation (`truncation=True, max_length=...`), which
keeps `<s>`, the first tokens and `</s>` of a single text.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from unittest import mock

import tensorflow as tf
import transformers

from longformer.data import classification_records
from longformer.data import documents
from longformer.data import skips
from official.core import exp_factory
from official.modeling import hyperparams
import tfrecords_test
import tiny_experiment
import tiny_tokenizer
import tokenizer_to_tfrecord_test

_EXPERIMENTS_DIR = os.path.join(tiny_experiment.REPO_DIR, 'experiments')
_CAT = 'The cat sat on the mat while a dog slept near the door.'
_GUITAR = 'A man is playing a guitar, and the crowd is not listening.'


def _write(directory, name, text):
  path = os.path.join(directory, name)
  with open(path, 'w') as f:
    f.write(text)
  return path


def _read(task, path, split='train'):
  skipped = skips.SkipCounter()
  rows = list(documents.read_documents(task, path, split, skipped))
  return rows, skipped.counts()


class ReadDocumentsTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    self.dir = tempfile.mkdtemp(dir=self.get_temp_dir())

  def test_imdb_kaggle_csv_layout(self):
    path = _write(self.dir, 'train.csv',
                  'review,sentiment\n"Great, long film.",positive\n'
                  'Dull.,negative\n')
    rows, skipped = _read(documents.DOCUMENT_TASKS['imdb'], path)
    self.assertEqual([(r.text, r.label) for r in rows],
                     [('Great, long film.', 1), ('Dull.', 0)])  # neg 0, pos 1
    self.assertEqual(skipped, {})

  def test_hyperpartisan_jsonl_layout_with_string_and_bool_labels(self):
    directory = os.path.join(self.dir, 'hp')
    os.mkdir(directory)
    _write(directory, 'dev.jsonl',
           '{"id": "1", "text": "Vote now!", "label": "true"}\n'
           '{"id": "2", "text": "Rain today.", "label": false}\n')
    rows, _ = _read(documents.DOCUMENT_TASKS['hyperpartisan'], directory,
                    'validation')
    self.assertEqual([(r.text, r.label) for r in rows],
                     [('Vote now!', 1), ('Rain today.', 0)])

  def test_empty_text_and_unknown_label_are_skipped_and_counted(self):
    task = documents.customize(documents.DOCUMENT_TASKS['document'],
                               text_column='body', label_column='topic',
                               labels=['sport', 'art', 'law'])
    path = _write(self.dir, 'x.tsv',
                  'topic\tbody\nlaw\tA ruling.\nart\t  \nfood\tBread.\n'
                  'sport\tA goal.\nart\n')
    rows, skipped = _read(task, path)
    self.assertEqual([(r.text, r.label, r.source) for r in rows],
                     [('A ruling.', 2, f'{path}:2'),
                      ('A goal.', 0, f'{path}:5')])
    self.assertEqual(skipped, {'empty text': 1, 'missing columns': 1,
                               'label not in the label set': 1})

  def test_hf_dataset_class_indices_map_through_class_names(self):
    datasets = self._datasets()
    features = datasets.Features({
        'text': datasets.Value('string'),
        'label': datasets.ClassLabel(names=['neg', 'pos'])})
    # imdb's `unsupervised` split labels every review -1.
    dataset = datasets.Dataset.from_dict(
        {'text': ['Good.', 'Bad.', 'Unrated.'], 'label': [1, 0, -1]},
        features=features)
    skipped = skips.SkipCounter()
    with mock.patch.object(datasets, 'load_dataset',
                           lambda name, split: dataset):
      rows = list(documents.read_documents(
          documents.DOCUMENT_TASKS['imdb'], 'imdb', 'train', skipped))
    self.assertEqual([(r.text, r.label, r.source) for r in rows],
                     [('Good.', 1, 'imdb[train] row 0'),
                      ('Bad.', 0, 'imdb[train] row 1')])
    self.assertEqual(skipped.counts(), {'label not in the label set': 1})

  def _datasets(self):
    try:
      import datasets  # pylint: disable=g-import-not-at-top
    except ImportError:
      self.skipTest('`datasets` is not installed here.')
    return datasets

  def test_missing_text_column_is_named(self):
    path = _write(self.dir, 'x.csv', 'review,label\nGood.,pos\n')
    with self.assertRaisesRegex(
        ValueError, r"no column 'text' for task hyperpartisan; the columns "
        r"are \['review', 'label'\]"):
      _read(documents.DOCUMENT_TASKS['hyperpartisan'], path)

  def test_label_set_must_have_two_distinct_names(self):
    for labels in (['pos'], ['a', 'b', 'a']):
      with self.assertRaisesRegex(ValueError, 'two or more distinct class'):
        documents.customize(documents.DOCUMENT_TASKS['document'],
                            labels=labels)
    with self.assertRaisesRegex(ValueError, '--labels=: task document needs'):
      documents.customize(documents.DOCUMENT_TASKS['document'])


class EncodeDocumentsTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp()
    cls.addClassCleanup(shutil.rmtree, cls.root)
    cls.tokenizer = transformers.AutoTokenizer.from_pretrained(
        tiny_tokenizer.build_tiny_tokenizer(os.path.join(cls.root, 'tok')))

  def test_long_document_keeps_s_first_tokens_and_end_token(self):
    docs = [documents.Document(' '.join([_CAT] * 5), 1, 'a', 0),
            documents.Document(_GUITAR, 0, 'b', 1)]
    max_len = 30
    encoded = documents.encode_documents(self.tokenizer, docs, max_len)
    for example, doc in zip(encoded, docs):
      reference = self.tokenizer(doc.text, truncation=True,
                                 max_length=max_len)['input_ids']
      full = self.tokenizer(doc.text)['input_ids']
      self.assertEqual(list(example.input_ids), reference)
      self.assertEqual(example.num_cut_tokens, max(0, len(full) - max_len))
      self.assertEqual(example.input_ids[0], self.tokenizer.cls_token_id)
      self.assertEqual(list(example.segment_ids), [0] * len(reference))
      self.assertEqual(example.label, doc.label)
    self.assertGreater(encoded[0].num_cut_tokens, 0)
    self.assertEqual(encoded[1].num_cut_tokens, 0)

  def test_tokenizer_without_s_is_refused(self):
    folder = tiny_tokenizer.build_plain_bpe_folder(
        os.path.join(self.root, 'plain'))
    plain = transformers.AutoTokenizer.from_pretrained(folder)
    plain.add_special_tokens({'cls_token': '<s>', 'sep_token': '</s>'})
    with self.assertRaisesRegex(ValueError, r'here: the tokenizer encodes the '
                                r'text as .* not <s>=0 \.\.\. </s>=2'):
      documents.encode_documents(
          plain, [documents.Document(_CAT, 0, 'here', 0)], 16)


class DocumentYamlTest(tf.test.TestCase):
  """The recipes load strictly and keep their stated arithmetic."""

  def _load(self, name):
    params = exp_factory.get_exp_config('longformer/glue')
    return hyperparams.override_params_dict(
        params, os.path.join(_EXPERIMENTS_DIR, name), is_strict=True)

  def test_imdb_recipe(self):
    params = self._load('imdb_4096.yaml')
    self.assertEqual(params.trainer.train_steps, 25000 * 10 // 32)
    self.assertEqual(params.task.train_data.seq_length, 4096)
    schedule = params.trainer.optimizer_config.learning_rate.polynomial
    self.assertEqual((schedule.initial_learning_rate, schedule.decay_steps),
                     (1e-5, params.trainer.train_steps))
    self.assertEqual(params.task.model.encoder.any.global_attention_size, 1)

  def test_hyperpartisan_recipe(self):
    params = self._load('hyperpartisan_4096.yaml')
    self.assertEqual(params.trainer.train_steps, 516 * 15 // 32)
    schedule = params.trainer.optimizer_config.learning_rate.polynomial
    self.assertEqual((schedule.initial_learning_rate, schedule.decay_steps),
                     (3e-5, params.trainer.train_steps))
    self.assertFalse(params.task.validation_data.drop_remainder)


class NothingToWriteTest(tf.test.TestCase):

  def test_split_with_no_valid_document_fails_and_writes_nothing(self):
    # An empty TFRecord would only fail later, in training, with
    # OutOfRangeError; the tool refuses to write one.
    root = tempfile.mkdtemp()
    self.addCleanup(shutil.rmtree, root)
    tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(root, 'tok'))
    path = _write(root, 'train.csv', 'text,label\nGood.,maybe\n,pos\n')
    output_dir = os.path.join(root, 'out')
    with self.assertRaises(ValueError) as raised:
      tokenizer_to_tfrecord_test.convert(path, output_dir, tokenizer_dir,
                                         task='imdb', splits=['train'])
    self.assertEqual(
        f'imdb train: no examples to write (2 skipped: empty text: 1 '
        f'(first at {path}:3); label not in the label set: 1 (first at '
        f"{path}:2 (label 'maybe'))).", str(raised.exception))
    self.assertFalse(os.path.exists(output_dir))


class DocumentRecordsTest(tf.test.TestCase):
  """What the tool writes for documents: ids and example ids."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp()
    cls.addClassCleanup(shutil.rmtree, cls.root)
    cls.tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(cls.root, 'tok'))

  def _records(self, text):
    directory = tempfile.mkdtemp(dir=self.root)
    path = _write(directory, 'train.jsonl', text)
    tokenizer_to_tfrecord_test.convert(
        path, os.path.join(directory, 'out'), self.tokenizer_dir,
        task='imdb', splits=['train'], max_seq_length=48)
    return tfrecords_test.read_records(
        os.path.join(directory, 'out', 'imdb_train.tf_record'), 48)

  def test_example_id_is_the_row_position_in_its_split(self):
    rows = [{'text': _CAT, 'label': 'pos'}, {'text': '', 'label': 'pos'},
            {'text': _GUITAR, 'label': 'huh'}, {'text': _GUITAR,
                                                'label': 'neg'}]
    records = self._records(''.join(json.dumps(r) + '\n' for r in rows))
    # Rows 1 (empty text) and 2 (unknown label) are skipped.
    self.assertEqual([r['example_id'] for r in records], [0, 3])
    self.assertEqual([r['label_ids'] for r in records], [1, 0])

  def test_special_token_text_in_a_document_stays_text(self):
    text = 'Price: <s>10</s> 8 dollars <pad> <mask> sale.'
    records = self._records(json.dumps({'text': text, 'label': 'pos'}) + '\n')
    ids = [i for i, m in zip(records[0]['input_word_ids'],
                             records[0]['input_mask']) if m]
    self.assertEqual([i for i in ids if i < 5], [0, 2])  # <s> ... </s> only.
    tokenizer = transformers.AutoTokenizer.from_pretrained(self.tokenizer_dir)
    self.assertEqual(tokenizer.decode(ids[1:-1]), text)

class DocumentEndToEndTest(tf.test.TestCase):
  """Tool (in process) -> TFRecords -> train.py train_and_eval -> accuracy."""

  _SEQ_LENGTH = 64  # Four full windows of 16: the band is blocked.
  _EVAL_EXAMPLES = 16

  def test_tool_then_train_and_eval_reports_accuracy(self):
    root = tempfile.mkdtemp()
    self.addCleanup(shutil.rmtree, root)
    tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(root, 'tok'))
    tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
    data_dir = os.path.join(root, 'data')
    os.mkdir(data_dir)
    texts = {}
    for split, count in (('train', 24), ('test', self._EVAL_EXAMPLES)):
      rows = []
      for i in range(count):
        label = ('off', 'on')[i % 2]
        sentence = _CAT if label == 'on' else _GUITAR
        texts.setdefault(split, []).append(' '.join([sentence] * (1 + i % 6)))
        rows.append(json.dumps({'body': texts[split][-1], 'stance': label}))
      rows.append(json.dumps({'body': '', 'stance': 'on'}))
      rows.append(json.dumps({'body': 'Why?', 'stance': 'maybe'}))
      _write(data_dir, f'{split}.jsonl', '\n'.join(rows) + '\n')
    output_dir = os.path.join(root, 'records')
    metadata = classification_records.convert(
        'document', data_dir, tokenizer_dir, self._SEQ_LENGTH, output_dir,
        splits=['train', 'test'], limit=100, batch_size=5, log_every=8,
        text_column='body', label_column='stance', labels=['off', 'on'])
    self._check_records_and_report(tokenizer, output_dir, texts, metadata)
    self._train_and_check_accuracy(root, output_dir)

  def _check_records_and_report(self, tokenizer, output_dir, texts,
                                metadata):
    records = tfrecords_test.read_records(
        os.path.join(output_dir, 'document_test.tf_record'), self._SEQ_LENGTH)
    self.assertLen(records, self._EVAL_EXAMPLES)
    truncated = cut = 0
    for i, (record, text) in enumerate(zip(records, texts['test'])):
      ids = tokenizer(text, truncation=True,
                      max_length=self._SEQ_LENGTH)['input_ids']
      padding = self._SEQ_LENGTH - len(ids)
      self.assertAllEqual(record['input_word_ids'], ids + [1] * padding)
      self.assertAllEqual(record['input_mask'], [1] * len(ids) + [0] * padding)
      self.assertEqual(record['label_ids'], i % 2)
      full = len(tokenizer(text)['input_ids'])
      truncated += full > self._SEQ_LENGTH
      cut += max(0, full - self._SEQ_LENGTH)
    self.assertGreater(truncated, 0)
    split = metadata['splits']['test']
    self.assertEqual(
        (split['num_examples'], split['num_truncated'],
         split['num_cut_tokens'], split['skipped']),
        (self._EVAL_EXAMPLES, truncated, cut,
         {'empty text': 1, 'label not in the label set': 1}))
    with open(os.path.join(output_dir, 'document_meta_data.json')) as f:
      self.assertEqual(json.load(f), metadata)
    self.assertEqual((metadata['labels'], metadata['global_tokens'],
                      metadata['global_attention_size']),
                     (['off', 'on'], 'first', 1))

  def _train_and_check_accuracy(self, root, output_dir):
    overrides = tiny_experiment.glue_overrides(
        os.path.join(output_dir, 'document_train.tf_record'),
        os.path.join(output_dir, 'document_test.tf_record'), train_steps=3)
    encoder = overrides['task']['model']['encoder']['any']
    encoder.update(vocab_size=400, attention_window=[16],
                   max_position_embeddings=self._SEQ_LENGTH + 2)
    for data in ('train_data', 'validation_data'):
      overrides['task'][data]['seq_length'] = self._SEQ_LENGTH
    overrides['trainer']['validation_steps'] = (
        self._EVAL_EXAMPLES // tiny_experiment.BATCH_SIZE)
    env = dict(os.environ, CUDA_VISIBLE_DEVICES='',
               PYTHONPATH=tiny_experiment.REPO_DIR)
    result = subprocess.run(
        [sys.executable, os.path.join(tiny_experiment.REPO_DIR, 'train.py'),
         '--experiment=longformer/glue', '--mode=train_and_eval',
         f'--model_dir={os.path.join(root, "model")}',
         f'--params_override={json.dumps(overrides)}'],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300, check=False)
    self.assertEqual(result.returncode, 0, result.stdout[-5000:])
    match = re.search(r"eval \| step: +3 \|.*?'cls_accuracy': "
                      r'(?:np\.float32\()?([0-9.]+)', result.stdout, re.S)
    self.assertIsNotNone(match, result.stdout[-3000:])
    correct = float(match.group(1)) * self._EVAL_EXAMPLES
    self.assertAllClose(correct, round(correct), atol=1e-4, rtol=0,
                        msg='accuracy is not k / 16: not our 16 examples')


if __name__ == '__main__':
  tf.test.main()
