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

"""Tests `utils/longformer_tokenizer_to_tfrecord.py` as a user would run it.

`MnliConversionTest` runs the CLI in a subprocess from the repository root
(its entry point); the other tests call `classification_records.convert`,
which the CLI's `main` wraps, in process. Inputs are GLUE-format files the
tests write, the tokenizer one they train (`tests/tiny_tokenizer.py`); the
records are read back with Model Garden's `SentencePredictionDataLoader`.
Expected ids come from the tokenizer itself; expected label indices from HF
`datasets` `glue`'s dataset card (mnli: entailment 0, neutral 1,
contradiction 2).
"""
import json
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
from unittest import mock

import numpy as np
import tensorflow as tf
from tokenizers import Tokenizer
import transformers

from longformer.data import classification_records
from longformer.data import tokenizer as tokenizer_lib
import cli_in_process
import tfrecords_test
import tiny_tokenizer

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SCRIPT = os.path.join('utils', 'longformer_tokenizer_to_tfrecord.py')
_MAX_SEQ_LENGTH = 24
_MNLI_LABEL_IDS = {'entailment': 0, 'neutral': 1, 'contradiction': 2}
_LONG_PREMISE = ' '.join(['The cat sat on the mat near the door.'] * 6)
# (premise, hypothesis, gold_label) per split; one premise is far longer than
# _MAX_SEQ_LENGTH tokens.
_MNLI = {
    'train': [('The cat sat on the mat.', 'A cat sat.', 'entailment'),
              (_LONG_PREMISE, 'The dog slept.', 'neutral'),
              ('A man is playing a guitar.', 'Nobody plays.', 'contradiction'),
              ('Long documents need "global" tokens.', 'Yes.', 'entailment'),
              ('The dog slept near the door.', 'A dog slept.', 'entailment')],
    'dev_matched': [('Nobody knows the answer.', 'Someone knows.',
                     'contradiction')],
    'dev_mismatched': [('The crowd is not listening.', 'The crowd listens.',
                        'contradiction'),
                       ('A dog slept.', 'An animal slept.', 'entailment')],
}
_MNLI_HEADER = ('index', 'promptID', 'pairID', 'genre', 'sentence1',
                'sentence2', 'label1', 'gold_label')


def write_mnli_tsv(directory, name, rows):
  """Writes `rows` as a GLUE MNLI TSV file (original GLUE columns)."""
  lines = ['\t'.join(_MNLI_HEADER)]
  for i, (premise, hypothesis, label) in enumerate(rows):
    lines.append('\t'.join([str(i), str(100 + i), f'{i}n', 'fiction',
                            premise, hypothesis, label, label]))
  with open(os.path.join(directory, name), 'w') as f:
    f.write('\n'.join(lines) + '\n')


def run_cli(*flags):
  """Runs the CLI from the repository root; returns the CompletedProcess."""
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
  return subprocess.run([sys.executable, _SCRIPT, *flags], cwd=_REPO_ROOT,
                        env=env, capture_output=True, text=True, timeout=300,
                        check=False)


def _padded(ids, pad):
  return list(ids) + [pad] * (_MAX_SEQ_LENGTH - len(ids))


class MnliConversionTest(tf.test.TestCase):
  """One conversion of a three-split MNLI directory, checked several ways."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp()
    cls.addClassCleanup(shutil.rmtree, cls.root)
    cls.tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(cls.root, 'tokenizer'))
    cls.tokenizer = transformers.AutoTokenizer.from_pretrained(
        cls.tokenizer_dir)
    cls.input_dir = os.path.join(cls.root, 'MNLI')
    os.mkdir(cls.input_dir)
    for name, rows in _MNLI.items():
      write_mnli_tsv(cls.input_dir, f'{name}.tsv', rows)
    cls.output_dir = os.path.join(cls.root, 'out')
    cls.result = run_cli(
        '--task=mnli', f'--input={cls.input_dir}',
        f'--tokenizer={cls.tokenizer_dir}',
        f'--max_seq_length={_MAX_SEQ_LENGTH}', f'--output_dir={cls.output_dir}',
        '--batch_size=2', '--log_every=2')

  def setUp(self):
    super().setUp()
    self.assertEqual(self.result.returncode, 0, self.result.stderr)

  def _records(self, split):
    return tfrecords_test.read_records(
        os.path.join(self.output_dir, f'mnli_{split}.tf_record'),
        _MAX_SEQ_LENGTH)

  def test_writes_one_file_per_split_and_metadata(self):
    self.assertCountEqual(os.listdir(self.output_dir), [
        'mnli_train.tf_record', 'mnli_validation_matched.tf_record',
        'mnli_validation_mismatched.tf_record', 'mnli_meta_data.json'])

  def test_ids_equal_the_tokenizers_own_encoding(self):
    pad = self.tokenizer.pad_token_id
    for split, name in (('train', 'train'),
                        ('validation_matched', 'dev_matched'),
                        ('validation_mismatched', 'dev_mismatched')):
      records = self._records(split)
      self.assertLen(records, len(_MNLI[name]))
      for record, (premise, hypothesis, _) in zip(records, _MNLI[name]):
        ids = self.tokenizer(premise, hypothesis, truncation=True,
                             max_length=_MAX_SEQ_LENGTH)['input_ids']
        self.assertAllEqual(record['input_word_ids'], _padded(ids, pad))
        self.assertAllEqual(record['input_mask'],
                            _padded([1] * len(ids), 0))
        self.assertAllEqual(record['input_type_ids'],
                            np.zeros(_MAX_SEQ_LENGTH))

  def test_long_example_is_truncated_to_max_seq_length(self):
    full = self.tokenizer(_LONG_PREMISE, 'The dog slept.')['input_ids']
    self.assertGreater(len(full), _MAX_SEQ_LENGTH)
    record = self._records('train')[1]
    self.assertAllEqual(record['input_mask'], np.ones(_MAX_SEQ_LENGTH))
    self.assertEqual(record['input_word_ids'][-1],
                     self.tokenizer.eos_token_id)

  def test_labels_and_example_ids(self):  # GLUE: rows are never skipped.
    for split, name in (('train', 'train'),
                        ('validation_mismatched', 'dev_mismatched')):
      records = self._records(split)
      self.assertEqual([r['label_ids'] for r in records],
                       [_MNLI_LABEL_IDS[row[2]] for row in _MNLI[name]])
      self.assertEqual([r['example_id'] for r in records],
                       list(range(len(_MNLI[name]))))

  def test_metadata_counts_labels_and_truncation(self):
    with open(os.path.join(self.output_dir, 'mnli_meta_data.json')) as f:
      metadata = json.load(f)
    self.assertEqual(metadata['labels'],
                     ['entailment', 'neutral', 'contradiction'])
    self.assertEqual(metadata['num_classes'], 3)
    self.assertEqual(metadata['label_type'], 'int')
    self.assertEqual(metadata['max_seq_length'], _MAX_SEQ_LENGTH)
    self.assertEqual(metadata['tokenizer'], self.tokenizer_dir)
    self.assertEqual(metadata['pad_token_id'], 1)
    self.assertEqual(
        {split: (info['num_examples'], info['num_truncated'])
         for split, info in metadata['splits'].items()},
        {'train': (5, 1), 'validation_matched': (1, 0),
         'validation_mismatched': (2, 0)})

  def test_progress_and_truncation_are_reported(self):
    self.assertIn('mnli train: 2 examples (1 truncated)', self.result.stderr)
    self.assertIn('mnli train: wrote 5 examples, 1 of them truncated to 24 '
                  'tokens', self.result.stderr)
    self.assertIn('train: 5 examples, 1 truncated (', self.result.stdout)


def convert(input_spec, output_dir, tokenizer, task='mnli', **kwargs):
  """`classification_records.convert` in process, with small defaults."""
  kwargs.setdefault('max_seq_length', 16)
  return classification_records.convert(
      task, input_spec, tokenizer, kwargs.pop('max_seq_length'),
      str(output_dir), **kwargs)


def _mnli_dir(root, **replacements):
  """Writes the MNLI splits, with `replacements` replacing whole files."""
  directory = tempfile.mkdtemp(dir=root)
  for name, rows in _MNLI.items():
    write_mnli_tsv(directory, f'{name}.tsv', rows)
  for name, text in replacements.items():
    with open(os.path.join(directory, f'{name}.tsv'), 'w') as f:
      f.write(text)
  return directory


class ConversionErrorTest(tf.test.TestCase):
  """Bad input fails with a message that names the problem, leaving nothing."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp()
    cls.addClassCleanup(shutil.rmtree, cls.root)
    cls.tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(cls.root, 'tokenizer'))

  def _run(self, input_dir, output_dir, **kwargs):
    with self.assertRaises((ValueError, OSError)) as raised:
      convert(input_dir, output_dir, self.tokenizer_dir, batch_size=1,
              **kwargs)
    return str(raised.exception)

  def test_unknown_label_during_overwrite_keeps_earlier_output(self):
    # The last split fails after the others were written to the stage.
    rows = _MNLI['dev_mismatched'] + [('a', 'b', 'maybe')]
    input_dir = _mnli_dir(self.root)
    write_mnli_tsv(input_dir, 'dev_mismatched.tsv', rows)
    output_dir = tempfile.mkdtemp(dir=self.root)
    old_output = os.path.join(output_dir, 'mnli_train.tf_record')
    with open(old_output, 'w') as f:
      f.write('from an earlier run')
    message = self._run(input_dir, output_dir, overwrite=True)
    self.assertIn(
        f"{input_dir}/dev_mismatched.tsv:4: unknown label 'maybe' for "
        'task mnli; expected one of entailment, neutral, contradiction',
        message)
    self.assertEqual(os.listdir(output_dir), ['mnli_train.tf_record'])
    with open(old_output) as f:
      self.assertEqual(f.read(), 'from an earlier run')

  def test_existing_output_refused_then_replaced_whole(self):
    input_dir = _mnli_dir(self.root)
    output_dir = tempfile.mkdtemp(dir=self.root)
    for name in ('mnli_validation_matched.tf_record', 'mnli_meta_data.json',
                 'qnli_train.tf_record'):  # Another task's file stays.
      with open(os.path.join(output_dir, name), 'w') as f:
        f.write('earlier run')
    message = self._run(input_dir, output_dir, splits=['train'])
    self.assertIn('mnli_meta_data.json, ', message)
    self.assertIn('mnli_validation_matched.tf_record. Pass --overwrite',
                  message)
    convert(input_dir, output_dir, self.tokenizer_dir, splits=['train'],
            overwrite=True)
    # The earlier run's validation file is gone: the set is replaced whole.
    self.assertCountEqual(os.listdir(output_dir), [
        'mnli_train.tf_record', 'mnli_meta_data.json',
        'qnli_train.tf_record'])

  def test_missing_column_is_named(self):
    input_dir = _mnli_dir(self.root,
                          train='sentence1\tgold_label\na\tneutral\n')
    output_dir = os.path.join(self.root, 'missing_column_out')
    message = self._run(input_dir, output_dir)
    self.assertIn(
        f"{input_dir}/train.tsv: no column 'hypothesis' or 'sentence2' "
        "for task mnli; the columns are ['sentence1', 'gold_label']", message)
    self.assertFalse(os.path.exists(output_dir))

  def test_empty_input_is_named(self):
    input_dir = _mnli_dir(self.root, dev_matched='')
    output_dir = os.path.join(self.root, 'empty_out')
    message = self._run(input_dir, output_dir)
    self.assertIn(f'{input_dir}/dev_matched.tsv is empty; it must '
                  'hold at least one example.', message)
    self.assertFalse(os.path.exists(output_dir))

  def test_bad_jsonl_line_is_named_by_the_command_line(self):
    cases = [('{"premise": "a", "hypothesis": "b", "label": "neutral"',
              r':2: not JSON \(Expecting .*\)\. Each line must be one JSON '
              r'object, e\.g\. \{"premise": \.\.\., "hypothesis": '),
             ('["a", "b", "neutral"]',
              r':2: expected a JSON object, got an array \(\["a", "b", '
              r'"neutral"\]\)')]
    good = '{"premise": "a", "hypothesis": "b", "label": "neutral"}\n'
    for bad_line, message in cases:
      with self.subTest(bad_line=bad_line):
        input_dir = tempfile.mkdtemp(dir=self.root)
        path = os.path.join(input_dir, 'train.jsonl')
        with open(path, 'w') as f:
          f.write(good + bad_line + '\n' + good)
        output_dir = os.path.join(input_dir, 'out')
        result = cli_in_process.run(_SCRIPT, [
            '--task=mnli', f'--input={path}', '--splits=train',
            f'--tokenizer={self.tokenizer_dir}', f'--output_dir={output_dir}'])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f'FAILED: nothing was written to {output_dir}.',
                      result.stdout)
        self.assertRegex(result.stderr, f'error: {path}' + message)
        self.assertFalse(os.path.exists(output_dir))

  def test_tokenizer_with_more_ids_than_the_model_is_refused(self):
    input_dir = _mnli_dir(self.root)
    message = self._run(input_dir, os.path.join(self.root, 'vocab_out'),
                        vocab_size=300)
    self.assertRegex(message, r'has \d+ tokens, more than the model\'s '
                     r'--vocab_size=300')

  def test_split_of_mostly_unknown_tokens_is_refused(self):
    # A WordLevel tokenizer that knows only a few words: most are <unk>.
    from tokenizers import models  # pylint: disable=g-import-not-at-top
    from tokenizers import pre_tokenizers  # pylint: disable=g-import-not-at-top
    words = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'] + [
        f'w{i}' for i in range(200)] + ['The', 'cat']
    raw = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)},
                                     unk_token='<unk>'))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    wrapped = transformers.PreTrainedTokenizerFast(
        tokenizer_object=raw, bos_token='<s>', eos_token='</s>',
        sep_token='</s>', cls_token='<s>', pad_token='<pad>',
        unk_token='<unk>', mask_token='<mask>')
    folder = os.path.join(self.root, 'word_level')
    wrapped.save_pretrained(folder)
    output_dir = os.path.join(self.root, 'unk_out')
    with self.assertRaisesRegex(ValueError,
                                r'mnli train: \d+ of \d+ tokens are <unk>'):
      convert(_mnli_dir(self.root), output_dir, folder, splits=['train'])
    self.assertFalse(os.path.exists(output_dir))


class RegressionConversionTest(tf.test.TestCase):
  """stsb from CSV: float labels, and a tokenizer that uses token types."""

  def test_stsb_scores_and_token_type_ids(self):
    root = tempfile.mkdtemp()
    tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(root, 'tokenizer'), token_type_ids=True)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
    rows = [('A man is playing a guitar.', 'A man plays.', 3.8),
            ('The cat sat.', 'Nobody knows, really.', 0.25)]
    path = os.path.join(root, 'dev.csv')
    with open(path, 'w') as f:
      f.write('sentence1,sentence2,score\n')
      f.writelines(f'{a},"{b}",{s}\n' for a, b, s in rows)
    output_dir = os.path.join(root, 'out')
    metadata = convert(path, output_dir, tokenizer_dir, task='stsb',
                       splits=['validation'], max_seq_length=_MAX_SEQ_LENGTH)
    records = tfrecords_test.read_records(
        os.path.join(output_dir, 'stsb_validation.tf_record'),
        _MAX_SEQ_LENGTH, label_type='float')
    self.assertAllClose([r['label_ids'] for r in records], [3.8, 0.25],
                        atol=1e-6, rtol=0)  # Stored as float32.
    for record, (a, b, _) in zip(records, rows):
      encoded = tokenizer(a, b, return_token_type_ids=True)
      self.assertAllEqual(record['input_word_ids'],
                          _padded(encoded['input_ids'], 1))
      self.assertAllEqual(record['input_type_ids'],
                          _padded(encoded['token_type_ids'], 0))
      self.assertIn(1, encoded['token_type_ids'])
    with open(os.path.join(output_dir, 'stsb_meta_data.json')) as f:
      self.assertEqual(json.load(f), metadata)
    self.assertEqual((metadata['label_type'], metadata['labels'],
                      metadata['num_classes'], metadata['segment_ids']),
                     ('float', None, 1, 'token_type_ids'))


class BadRowsTest(tf.test.TestCase):
  """Short rows are skipped and counted; non-finite scores are refused."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp()
    cls.addClassCleanup(shutil.rmtree, cls.root)
    cls.tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(cls.root, 'tokenizer'))

  def test_short_qqp_rows_are_skipped_counted_and_reported(self):
    path = os.path.join(self.root, 'qqp_train.tsv')
    with open(path, 'w') as f:
      f.write('id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n'
              '0\t1\t2\tWhy is the cat on the mat?\tWhy?\t0\n'
              '1\t3\t4\tA question with no pair\n'
              '2\t5\t6\tWho knows?\tNobody knows.\t1\n'
              '3\t7\n')
    output_dir = os.path.join(self.root, 'qqp_out')
    with self.assertLogs('absl', 'INFO') as logs:
      metadata = convert(path, output_dir, self.tokenizer_dir, task='qqp',
                         splits=['train'], max_seq_length=20, limit=10,
                         batch_size=3, log_every=1)
    self.assertIn(f'qqp train: 2 skipped: missing columns: 2 (first at '
                  f'{path}:3)', '\n'.join(logs.output))
    records = tfrecords_test.read_records(
        os.path.join(output_dir, 'qqp_train.tf_record'), 20)
    self.assertEqual([r['label_ids'] for r in records], [0, 1])
    split = metadata['splits']['train']
    self.assertEqual((split['num_examples'], split['skipped']),
                     (2, {'missing columns': 2}))

  def test_non_finite_stsb_score_is_refused_and_nothing_written(self):
    path = os.path.join(self.root, 'stsb_nan.csv')
    with open(path, 'w') as f:
      f.write('sentence1,sentence2,score\na,b,1.5\nc,d,nan\n')
    output_dir = os.path.join(self.root, 'stsb_nan_out')
    with self.assertRaisesRegex(
        ValueError, f"{path}:3: label 'nan' is not a finite number; task "
        'stsb needs a finite score'):  # inf and others: tfrecords_test.
      convert(path, output_dir, self.tokenizer_dir, task='stsb',
              splits=['validation'])
    self.assertFalse(os.path.exists(output_dir))


class PlainTokenizersFolderTest(tf.test.TestCase):
  """A folder written by the `tokenizers` library (no special-token config)."""

  def setUp(self):
    super().setUp()
    self.root = tempfile.mkdtemp()
    self.input_dir = _mnli_dir(self.root)

  def _first_record(self, tokenizer, max_seq_length=40):
    output_dir = os.path.join(self.root, 'out')
    convert(self.input_dir, output_dir, tokenizer, splits=['train'],
            max_seq_length=max_seq_length, overwrite=True)
    return tfrecords_test.read_records(
        os.path.join(output_dir, 'mnli_train.tf_record'), max_seq_length)[0]

  def _expected(self, folder, bos, eos, pad):
    """RoBERTa's pair layout from the raw tokenizer's own ids, padded."""
    raw = Tokenizer.from_file(os.path.join(folder, 'tokenizer.json'))
    premise, hypothesis, _ = _MNLI['train'][0]
    ids = ([raw.token_to_id(bos)] + raw.encode(premise).ids +
           [raw.token_to_id(eos)] * 2 + raw.encode(hypothesis).ids +
           [raw.token_to_id(eos)])
    return ids + [raw.token_to_id(pad)] * (40 - len(ids))

  def test_folder_with_roberta_tokens_is_used_as_roberta(self):
    folder = tiny_tokenizer.build_plain_bpe_folder(
        os.path.join(self.root, 'bpe'))
    self.assertCountEqual(os.listdir(folder),
                          ['vocab.json', 'merges.txt', 'tokenizer.json'])
    expected = self._expected(folder, '<s>', '</s>', '<pad>')
    self.assertEqual(expected[0], 0)  # The training order: <s> 0 ...
    self.assertAllEqual(self._first_record(folder)['input_word_ids'],
                        expected)

  def test_folder_without_roberta_tokens_works_by_following_the_hint(self):
    tokens = ('[CLS]', '[PAD]', '[SEP]', '[UNK]', '[MASK]')
    folder = tiny_tokenizer.build_plain_bpe_folder(
        os.path.join(self.root, 'bpe'), special_tokens=tokens)
    with self.assertRaises(ValueError) as raised:
      self._first_record(folder)
    message = str(raised.exception)
    self.assertIn(f'--tokenizer={folder} has no pad token and no '
                  'special-token config, and its vocabulary lacks <s> </s> '
                  "<pad> <mask> <unk> of RoBERTa's special tokens", message)
    # Follow the hint as printed: it names tokenizer.json, not vocab_file.
    self.assertIn('transformers.RobertaTokenizerFast(tokenizer_file='
                  f'"{folder}/tokenizer.json"', message)
    special = dict(bos_token='[CLS]', eos_token='[SEP]', sep_token='[SEP]',
                   cls_token='[CLS]', pad_token='[PAD]', unk_token='[UNK]',
                   mask_token='[MASK]')
    wrapped = os.path.join(self.root, 'wrapped')
    transformers.RobertaTokenizerFast(
        tokenizer_file=os.path.join(folder, 'tokenizer.json'),
        **special).save_pretrained(wrapped)
    self.assertAllEqual(self._first_record(wrapped)['input_word_ids'],
                        self._expected(folder, '[CLS]', '[SEP]', '[PAD]'))
    # Negative control: the old hint (vocab_file, merges_file) builds a
    # 5-token vocabulary under transformers 5, which is refused.
    old = os.path.join(self.root, 'old_hint')
    transformers.RobertaTokenizerFast(
        vocab_file=os.path.join(folder, 'vocab.json'),
        merges_file=os.path.join(folder, 'merges.txt'),
        **special).save_pretrained(old)
    with self.assertRaisesRegex(ValueError, r'has only \d+ tokens \(fewer '
                                f'than {tokenizer_lib.MIN_VOCAB_SIZE}\\)'):
      self._first_record(old)

  def test_special_token_text_in_a_pair_stays_text(self):
    tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(self.root, 'tokenizer'))
    rows = [('Old <s>price</s> now.', 'A <mask> or <pad>.', 'neutral')]
    write_mnli_tsv(self.input_dir, 'train.tsv', rows)
    record = self._first_record(tokenizer_dir)
    ids = [i for i, m in zip(record['input_word_ids'], record['input_mask'])
           if m]
    # <s> A </s></s> B </s>: only the layout's 0 and three 2s are specials.
    self.assertEqual([i for i in ids if i < 5], [0, 2, 2, 2])
    tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
    self.assertEqual(tokenizer.decode(ids), '<s>Old <s>price</s> now.</s>'
                     '</s>A <mask> or <pad>.</s>')


class DataExtraTest(tf.test.TestCase):
  """`pip install -e ".[data]"` installs what the tool imports."""

  def test_data_extra_lists_every_library_the_tool_loads(self):
    with mock.patch('setuptools.setup') as setup:
      runpy.run_path(os.path.join(_REPO_ROOT, 'setup.py'))
    extra = setup.call_args.kwargs['extras_require']['data']
    names = {requirement.split('>')[0].split('=')[0] for requirement in extra}
    # transformers and tokenizers load --tokenizer; datasets reads a
    # `datasets` name such as the default --input=glue.
    self.assertContainsSubset({'transformers', 'tokenizers', 'datasets'},
                              names)

if __name__ == '__main__':
  tf.test.main()
