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

"""Tests for `longformer.data.glue` and `.sentence_prediction`: GLUE rows.

Expected label indices are HF `datasets` `glue`'s (its dataset card), e.g.
mnli: entailment 0, neutral 1, contradiction 2. Records are read back with
Model Garden's own `SentencePredictionDataLoader`.
"""
import json
import os
import sys
import tempfile
from unittest import mock

from absl.testing import parameterized
import numpy as np
import tensorflow as tf

from longformer.data import glue
from longformer.data import sentence_prediction
from longformer.data import skips
from longformer.data import table_files
from official.nlp.data import sentence_prediction_dataloader as mg_loader

MNLI = glue.GLUE_TASKS['mnli']
_MNLI_TSV = (
    'index\tpromptID\tgenre\tsentence1\tsentence2\tlabel1\tgold_label\n'
    '0\t31193\tfiction\tHe said "hi".\tHe spoke.\tentailment\tentailment\n'
    '1\t101457\tslate\tThe cat sat.\tA dog sat.\tneutral\tcontradiction\n')


def _new_dir(test):
  """Returns a fresh directory under the test's temporary directory."""
  return tempfile.mkdtemp(dir=test.get_temp_dir())


def _write(directory, name, text):
  path = os.path.join(directory, name)
  with open(path, 'w') as f:
    f.write(text)
  return path


def read_records(path, seq_length, label_type='int'):
  """Returns every record of `path` as read by Model Garden's loader."""
  config = mg_loader.SentencePredictionDataConfig(
      input_path=path, seq_length=seq_length, global_batch_size=1,
      is_training=False, drop_remainder=False, include_example_id=True,
      label_type=label_type)
  dataset = mg_loader.SentencePredictionDataLoader(config).load()
  return [{k: v.numpy()[0] for k, v in batch.items()} for batch in dataset]


class GlueTasksTest(tf.test.TestCase):

  def test_every_glue_task_is_defined(self):
    self.assertCountEqual(
        glue.GLUE_TASKS,
        ['cola', 'mnli', 'mrpc', 'qnli', 'qqp', 'rte', 'sst2', 'stsb', 'wnli'])
    self.assertEqual(
        MNLI.splits, ('train', 'validation_matched', 'validation_mismatched'))
    self.assertEqual(glue.GLUE_TASKS['stsb'].label_type, 'float')
    self.assertEqual(glue.GLUE_TASKS['rte'].label_type, 'int')

  def test_split_file_names_include_glue_dev_names(self):
    self.assertEqual(
        table_files.split_file_names('validation_matched')[:3],
        ('dev_matched.tsv', 'dev_matched.csv', 'dev_matched.jsonl'))
    self.assertIn('validation.jsonl',
                  table_files.split_file_names('validation'))
    self.assertIn('train.tsv', table_files.split_file_names('train'))


class LabelTest(tf.test.TestCase, parameterized.TestCase):

  @parameterized.parameters(('entailment', 0), ('neutral', 1), (' neutral', 1),
                            ('contradiction', 2), ('2', 2), (0, 0))
  def test_mnli_names_and_indices_map_to_hf_order(self, raw, expected):
    self.assertEqual(glue.label_to_id(MNLI, raw, 'here'), expected)

  def test_numeric_glue_labels_are_indices(self):
    sst2 = glue.GLUE_TASKS['sst2']
    self.assertEqual(glue.label_to_id(sst2, '1', 'here'), 1)
    self.assertEqual(glue.label_to_id(sst2, 'negative', 'here'), 0)

  def test_regression_label_is_a_float(self):
    stsb = glue.GLUE_TASKS['stsb']
    label = glue.label_to_id(stsb, '3.8', 'here')
    self.assertIsInstance(label, float)
    self.assertEqual(label, 3.8)
    with self.assertRaisesRegex(ValueError, "here: label 'high' is not a"):
      glue.label_to_id(stsb, 'high', 'here')

  @parameterized.parameters('nan', 'NaN', 'inf', '-inf', 'Infinity',
                            float('nan'))
  def test_non_finite_regression_label_is_refused(self, raw):
    stsb = glue.GLUE_TASKS['stsb']
    with self.assertRaisesRegex(
        ValueError, r'f.csv:4: label .* is not a finite number; task stsb '
        r'needs a finite score'):
      glue.label_to_id(stsb, raw, 'f.csv:4')

  @parameterized.parameters('maybe', '3', -1, 3, True, None, 1.0, '')
  def test_unknown_label_names_label_and_choices(self, raw):
    with self.assertRaisesRegex(
        ValueError, r'f.tsv:7: unknown label .* task mnli; expected one of '
        r'entailment, neutral, contradiction or an index 0..2'):
      glue.label_to_id(MNLI, raw, 'f.tsv:7')


class ReadSplitTest(tf.test.TestCase, parameterized.TestCase):

  def test_reads_glue_tsv_through_header_aliases(self):
    path = _write(_new_dir(self), 'train.tsv', _MNLI_TSV)
    rows = list(glue.read_split(MNLI, path, 'train',
        skips.SkipCounter()))
    self.assertEqual(rows, [
        glue.GlueRow(('He said "hi".', 'He spoke.'), 'entailment',
                          f'{path}:2'),
        glue.GlueRow(('The cat sat.', 'A dog sat.'), 'contradiction',
                          f'{path}:3')])

  def test_reads_csv_with_quoted_commas(self):
    path = _write(_new_dir(self), 'dev.csv',
                  'label,sentence\n1,"Good, very good."\n0,bad\n')
    rows = list(glue.read_split(
        glue.GLUE_TASKS['sst2'], path, 'validation',
        skips.SkipCounter()))
    self.assertEqual([r.texts for r in rows], [('Good, very good.',), ('bad',)])
    self.assertEqual([r.label for r in rows], ['1', '0'])

  def test_reads_jsonl_with_hf_names_and_skips_blank_lines(self):
    path = _write(_new_dir(self), 'train.jsonl',
                  '{"premise": "a", "hypothesis": "b", "label": 2, "idx": 0}\n'
                  '\n{"hypothesis": "d", "premise": "c", "label": 0}\n')
    rows = list(glue.read_split(MNLI, path, 'train',
        skips.SkipCounter()))
    self.assertEqual([r.texts for r in rows], [('a', 'b'), ('c', 'd')])
    self.assertEqual([r.label for r in rows], [2, 0])
    self.assertEqual(rows[1].source, f'{path}:3')

  def test_reads_headerless_cola_tsv(self):
    path = _write(_new_dir(self), 'train.tsv',
                  'gj04\t1\t\tOur friends like it.\n'
                  'gj04\t0\t*\tThey drank the pub.\n')
    rows = list(glue.read_split(
        glue.GLUE_TASKS['cola'], path, 'train',
        skips.SkipCounter()))
    self.assertEqual(rows[0], glue.GlueRow(('Our friends like it.',), '1',
                                                f'{path}:1'))
    self.assertLen(rows, 2)

  def test_directory_finds_each_split_by_glue_name(self):
    directory = _new_dir(self)
    _write(directory, 'train.tsv', _MNLI_TSV)
    _write(directory, 'dev_matched.tsv', _MNLI_TSV)
    _write(directory, 'validation_mismatched.jsonl',
           '{"premise": "a", "hypothesis": "b", "label": 1}\n')
    counts = {split: len(list(glue.read_split(MNLI, directory, split,
                                              skips.SkipCounter())))
              for split in MNLI.splits}
    self.assertEqual(counts, {'train': 2, 'validation_matched': 2,
                              'validation_mismatched': 1})

  def test_directory_without_split_file_says_what_was_looked_for(self):
    directory = _new_dir(self)
    with self.assertRaisesRegex(
        FileNotFoundError, r'has no file for split .train. of task mnli '
        r'\(looked for train.tsv, train.csv, train.jsonl.*--splits'):
      glue.read_split(MNLI, directory, 'train',
        skips.SkipCounter())

  def test_directory_with_two_files_for_a_split_is_ambiguous(self):
    directory = _new_dir(self)
    _write(directory, 'train.tsv', _MNLI_TSV)
    _write(directory, 'train.jsonl', '{}\n')
    with self.assertRaisesRegex(FileNotFoundError, 'holds several file'):
      glue.read_split(MNLI, directory, 'train',
        skips.SkipCounter())

  def test_missing_column_is_named_with_the_header(self):
    path = _write(_new_dir(self), 'train.tsv',
                  'sentence1\tgold_label\na\tneutral\n')
    with self.assertRaisesRegex(
        ValueError, r"no column 'hypothesis' or 'sentence2' for task mnli; "
        r"the columns are \['sentence1', 'gold_label'\]"):
      glue.read_split(MNLI, path, 'train',
        skips.SkipCounter())

  @parameterized.parameters(('train.tsv', '', 'is empty'),
                            ('train.jsonl', '\n\n', 'is empty'),
                            ('train.tsv', 'sentence1\tsentence2\tlabel\n',
                             'has a header but no examples'))
  def test_empty_input_raises(self, name, text, message):
    path = _write(_new_dir(self), name, text)
    with self.assertRaisesRegex(ValueError, message):
      list(glue.read_split(MNLI, path, 'train',
        skips.SkipCounter()))

  def test_short_qqp_line_and_null_text_are_skipped_and_counted(self):
    # The original GLUE QQP train.tsv has lines with missing columns; HF's
    # and Model Garden's QQP processors skip them.
    qqp = glue.GLUE_TASKS['qqp']
    path = _write(_new_dir(self), 'train.tsv',
                  'id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n'
                  '0\t1\t2\tWhy?\tHow?\t0\n'
                  '1\t3\t4\tWhat is it\n'
                  '2\t5\t6\tWho?\tWhom?\t1\n')
    skipped = skips.SkipCounter()
    rows = list(glue.read_split(qqp, path, 'train', skipped))
    self.assertEqual([(r.texts, r.label) for r in rows],
                     [(('Why?', 'How?'), '0'), (('Who?', 'Whom?'), '1')])
    self.assertEqual(skipped.counts(), {'missing columns': 1})
    self.assertEqual(skipped.summary(),
                     f'1 skipped: missing columns: 1 (first at {path}:3)')
    path = _write(_new_dir(self), 'b.jsonl',
                  '{"premise": null, "hypothesis": "b", "label": 1}\n'
                  '{"hypothesis": "b", "label": 1}\n'
                  '{"premise": "a", "hypothesis": "b", "label": 1}\n')
    skipped = skips.SkipCounter()
    rows = list(glue.read_split(MNLI, path, 'train', skipped))
    self.assertEqual([r.source for r in rows], [f'{path}:3'])
    self.assertEqual(skipped.counts(), {'missing columns': 2})

  def test_file_whose_rows_are_all_short_raises_with_the_count(self):
    path = _write(_new_dir(self), 'a.tsv',
                  'sentence1\tsentence2\tlabel\na\tb\n')
    with self.assertRaisesRegex(
        ValueError, 'has a header but no examples \\(1 skipped: missing '
        'columns: 1'):
      list(glue.read_split(MNLI, path, 'train', skips.SkipCounter()))

  def test_non_text_value_names_its_line(self):
    path = _write(_new_dir(self), 'b.jsonl',
                  '{"premise": 7, "hypothesis": "b", "label": 1}\n')
    with self.assertRaisesRegex(ValueError, f"{path}:1: column 'premise' is 7"):
      list(glue.read_split(MNLI, path, 'train', skips.SkipCounter()))

  def test_unknown_extension_raises(self):
    path = _write(_new_dir(self), 'train.txt', 'x\n')
    with self.assertRaisesRegex(ValueError, r'must end in one of .tsv'):
      glue.read_split(MNLI, path, 'train',
        skips.SkipCounter())

  def test_dataset_name_without_datasets_says_how_to_fix(self):
    # None in sys.modules makes `import datasets` raise ImportError.
    with mock.patch.dict(sys.modules, {'datasets': None}):
      with self.assertRaisesRegex(
          ImportError, r"--input='glue' is not a local file or directory.*"
          r'pip install -e ".\[data\]"'):
        glue.read_split(MNLI, 'glue', 'train', skips.SkipCounter())


class MakeExampleTest(tf.test.TestCase):

  def test_pads_ids_mask_and_segments(self):
    example = sentence_prediction.make_example([0, 7, 2], [0, 0, 1], 2, 5,
                                     max_seq_length=6, pad_token_id=1)
    features = json.loads(json.dumps({
        name: list(f.int64_list.value)
        for name, f in example.features.feature.items()}))
    self.assertEqual(features, {
        'input_ids': [0, 7, 2, 1, 1, 1], 'input_mask': [1, 1, 1, 0, 0, 0],
        'segment_ids': [0, 0, 1, 0, 0, 0], 'label_ids': [2],
        'example_id': [5]})

  def test_rejects_too_long_or_mismatched_ids(self):
    with self.assertRaisesRegex(ValueError, '3 tokens, more than max_seq'):
      sentence_prediction.make_example([0, 7, 2], [0, 0, 0], 0, 0, 2, 1)
    with self.assertRaisesRegex(ValueError, '2 segment_ids for 3 input_ids'):
      sentence_prediction.make_example([0, 7, 2], [0, 0], 0, 0, 4, 1)

  def test_model_garden_loader_reads_int_and_float_labels(self):
    directory = _new_dir(self)
    for name, labels, label_type in (('int', [2, 0], 'int'),
                                     ('float', [3.5, 0.25], 'float')):
      path = os.path.join(directory, name)
      with tf.io.TFRecordWriter(path) as writer:
        for i, label in enumerate(labels):
          writer.write(sentence_prediction.make_example(
              [0, 5 + i, 2], [0, 0, 0], label, i, 4, 1).SerializeToString())
      records = read_records(path, 4, label_type)
      self.assertAllEqual([r['label_ids'] for r in records], labels)
      self.assertAllEqual([r['example_id'] for r in records], [0, 1])
      self.assertAllEqual(records[1]['input_word_ids'], [0, 6, 2, 1])
      self.assertAllEqual(records[1]['input_mask'], [1, 1, 1, 0])
      self.assertAllEqual(records[1]['input_type_ids'], np.zeros(4))


if __name__ == '__main__':
  tf.test.main()
