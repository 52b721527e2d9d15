"""Runs `utils/longformer_tokenizer_to_tfrecord.py` as a user would.

Each test runs the CLI in a subprocess from the repository root on GLUE-format
files it writes, with a tokenizer it trains (`tests/tiny_tokenizer.py`), and
reads the records back with Model Garden's `SentencePredictionDataLoader`.
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

  def test_labels_and_example_ids(self):
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


class ConversionErrorTest(tf.test.TestCase):
  """Bad input fails with a message that names the problem, leaving nothing."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp()
    cls.addClassCleanup(shutil.rmtree, cls.root)
    cls.tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(cls.root, 'tokenizer'))

  def _mnli_dir(self, **replacements):
    """Writes the MNLI splits, with `replacements` replacing whole files."""
    directory = tempfile.mkdtemp(dir=self.root)
    for name, rows in _MNLI.items():
      write_mnli_tsv(directory, f'{name}.tsv', rows)
    for name, text in replacements.items():
      with open(os.path.join(directory, f'{name}.tsv'), 'w') as f:
        f.write(text)
    return directory

  def _run(self, input_dir, output_dir):
    result = run_cli('--task=mnli', f'--input={input_dir}',
                     f'--tokenizer={self.tokenizer_dir}',
                     '--max_seq_length=16', f'--output_dir={output_dir}',
                     '--batch_size=1')
    self.assertNotEqual(result.returncode, 0)
    return result.stderr

  def test_unknown_label_keeps_earlier_output_and_writes_nothing(self):
    # The last split fails after the others were written to temporary files.
    rows = _MNLI['dev_mismatched'] + [('a', 'b', 'maybe')]
    input_dir = self._mnli_dir()
    write_mnli_tsv(input_dir, 'dev_mismatched.tsv', rows)
    output_dir = tempfile.mkdtemp(dir=self.root)
    old_output = os.path.join(output_dir, 'mnli_train.tf_record')
    with open(old_output, 'w') as f:
      f.write('from an earlier run')
    stderr = self._run(input_dir, output_dir)
    self.assertIn(
        f"error: {input_dir}/dev_mismatched.tsv:4: unknown label 'maybe' for "
        'task mnli; expected one of entailment, neutral, contradiction',
        stderr)
    self.assertEqual(os.listdir(output_dir), ['mnli_train.tf_record'])
    with open(old_output) as f:
      self.assertEqual(f.read(), 'from an earlier run')

  def test_missing_column_is_named(self):
    input_dir = self._mnli_dir(train='sentence1\tgold_label\na\tneutral\n')
    output_dir = os.path.join(self.root, 'missing_column_out')
    stderr = self._run(input_dir, output_dir)
    self.assertIn(
        f"error: {input_dir}/train.tsv: no column 'hypothesis' or 'sentence2' "
        "for task mnli; the columns are ['sentence1', 'gold_label']", stderr)
    self.assertFalse(os.path.exists(output_dir))

  def test_empty_input_is_named(self):
    input_dir = self._mnli_dir(dev_matched='')
    output_dir = os.path.join(self.root, 'empty_out')
    stderr = self._run(input_dir, output_dir)
    self.assertIn(f'error: {input_dir}/dev_matched.tsv is empty; it must '
                  'hold at least one example.', stderr)
    self.assertFalse(os.path.exists(output_dir))


class RegressionConversionTest(tf.test.TestCase):
  """stsb from CSV: float labels, and a tokenizer that uses token types."""

  def test_stsb_scores_and_token_type_ids(self):
    root = tempfile.mkdtemp()
    self.addCleanup(shutil.rmtree, root)
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
    result = run_cli('--task=stsb', f'--input={path}', '--splits=validation',
                     f'--tokenizer={tokenizer_dir}',
                     f'--max_seq_length={_MAX_SEQ_LENGTH}',
                     f'--output_dir={output_dir}')
    self.assertEqual(result.returncode, 0, result.stderr)
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
      metadata = json.load(f)
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
    result = run_cli('--task=qqp', f'--input={path}', '--splits=train',
                     f'--tokenizer={self.tokenizer_dir}',
                     '--max_seq_length=20', f'--output_dir={output_dir}',
                     '--limit=10', '--batch_size=3', '--log_every=1')
    self.assertEqual(result.returncode, 0, result.stderr)
    self.assertIn('train: 2 examples, 0 truncated (0 tokens cut), 2 skipped '
                  '(2 missing columns) ->', result.stdout)
    self.assertIn(f'qqp train: 2 skipped: missing columns: 2 (first at '
                  f'{path}:3)', result.stderr)
    self.assertIn(f'OK: 2 examples in 1 splits, metadata qqp_meta_data.json, '
                  f'in {output_dir}', result.stdout)
    records = tfrecords_test.read_records(
        os.path.join(output_dir, 'qqp_train.tf_record'), 20)
    self.assertEqual([r['label_ids'] for r in records], [0, 1])
    with open(os.path.join(output_dir, 'qqp_meta_data.json')) as f:
      split = json.load(f)['splits']['train']
    self.assertEqual((split['num_examples'], split['skipped']),
                     (2, {'missing columns': 2}))

  def test_non_finite_stsb_score_is_refused_and_nothing_written(self):
    for score in ('nan',):  # inf and others: tfrecords_test.
      path = os.path.join(self.root, f'stsb_{score}.csv')
      with open(path, 'w') as f:
        f.write(f'sentence1,sentence2,score\na,b,1.5\nc,d,{score}\n')
      output_dir = os.path.join(self.root, f'stsb_{score}_out')
      result = run_cli('--task=stsb', f'--input={path}',
                       '--splits=validation',
                       f'--tokenizer={self.tokenizer_dir}',
                       '--max_seq_length=16', f'--output_dir={output_dir}')
      self.assertNotEqual(result.returncode, 0)
      self.assertIn(f"error: {path}:3: label '{score}' is not a finite "
                    'number; task stsb needs a finite score', result.stderr)
      self.assertIn(f'FAILED: nothing was written to {output_dir}',
                    result.stdout)
      self.assertFalse(os.path.exists(output_dir))


class PlainTokenizersFolderTest(tf.test.TestCase):
  """A folder written by the `tokenizers` library (no special-token config)."""

  def test_folder_with_roberta_tokens_is_used_as_roberta(self):
    root = tempfile.mkdtemp()
    self.addCleanup(shutil.rmtree, root)
    folder = tiny_tokenizer.build_plain_bpe_folder(os.path.join(root, 'bpe'))
    self.assertCountEqual(os.listdir(folder),
                          ['vocab.json', 'merges.txt', 'tokenizer.json'])
    raw = Tokenizer.from_file(os.path.join(folder, 'tokenizer.json'))
    bos, eos, pad = (raw.token_to_id(t) for t in ('<s>', '</s>', '<pad>'))
    self.assertEqual((bos, pad, eos), (0, 1, 2))  # The training order.
    input_dir = os.path.join(root, 'MNLI')
    os.mkdir(input_dir)
    for name, rows in _MNLI.items():
      write_mnli_tsv(input_dir, f'{name}.tsv', rows)
    output_dir = os.path.join(root, 'out')
    result = run_cli('--task=mnli', f'--input={input_dir}',
                     f'--tokenizer={folder}', '--max_seq_length=40',
                     f'--output_dir={output_dir}', '--splits=train')
    self.assertEqual(result.returncode, 0, result.stderr)
    records = tfrecords_test.read_records(
        os.path.join(output_dir, 'mnli_train.tf_record'), 40)
    premise, hypothesis, _ = _MNLI['train'][0]
    # RoBERTa's pair layout from the raw tokenizer's own ids.
    expected = ([bos] + raw.encode(premise).ids + [eos, eos] +
                raw.encode(hypothesis).ids + [eos])
    self.assertAllEqual(records[0]['input_word_ids'],
                        expected + [pad] * (40 - len(expected)))

  def test_folder_without_roberta_tokens_is_refused_with_the_fix(self):
    root = tempfile.mkdtemp()
    self.addCleanup(shutil.rmtree, root)
    folder = tiny_tokenizer.build_plain_bpe_folder(
        os.path.join(root, 'bpe'), special_tokens=('[CLS]', '[SEP]', '[PAD]'))
    write_mnli_tsv(root, 'train.tsv', _MNLI['train'])
    output_dir = os.path.join(root, 'out')
    result = run_cli('--task=mnli', f'--input={root}/train.tsv',
                     f'--tokenizer={folder}', f'--output_dir={output_dir}',
                     '--splits=train')
    self.assertNotEqual(result.returncode, 0)
    self.assertIn(f'error: --tokenizer={folder} has no pad token and no '
                  'special-token config, and its vocabulary lacks <s> </s> '
                  "<pad> <mask> <unk> of RoBERTa's special tokens",
                  result.stderr)
    self.assertIn('transformers.RobertaTokenizerFast(vocab_file=...',
                  result.stderr)
    self.assertFalse(os.path.exists(output_dir))


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
