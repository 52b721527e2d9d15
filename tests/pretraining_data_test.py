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

"""`utils/create_pretraining_data.py` and `longformer.data.pretraining`.

The `written` fixture runs the CLI as a subprocess (its entry point); the
other tool runs call `pretraining_records.create`, which its `main` wraps,
in process.
"""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import transformers

import tiny_tokenizer
from longformer.data import pretraining
from longformer.data import pretraining_records
from official.nlp.data import pretrain_dataloader

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_CLI = os.path.join(_REPO, 'utils', 'create_pretraining_data.py')
_SEQ, _PREDICTIONS = 48, 9
_DOCS = [
    'The cat sat on the mat while a dog slept near the door.',
    'A man is playing a guitar.',
    # Longer than a 48-token sequence: cut into pieces.
    ' '.join(['Long documents need long attention windows and global '
              'tokens.'] * 12),
    'Nobody knows whether the answer lies far from the first token. ' * 2,
    'x',
]


def _special(vocab_size=1000):
  return pretraining.SpecialIds(bos=0, pad=1, eos=2, mask=4,
                                never_masked=frozenset(range(5)),
                                vocab_size=vocab_size)


def test_80_10_10_rule_within_statistical_bounds():
  special = _special()
  rng = np.random.default_rng(0)
  labels, replaced, per_sequence = [], [], []
  for _ in range(400):
    ids = np.concatenate([[0], rng.integers(5, 1000, 510), [2]])
    masked = pretraining.mask_sequence(ids, special, 0.15, 1000, rng)
    per_sequence.append(len(masked.positions))
    labels.append(masked.labels)
    replaced.append(masked.input_ids[masked.positions])
    np.testing.assert_array_equal(ids[masked.positions], masked.labels)
    untouched = np.setdiff1d(np.arange(len(ids)), masked.positions)
    np.testing.assert_array_equal(masked.input_ids[untouched], ids[untouched])
  labels, replaced = np.concatenate(labels), np.concatenate(replaced)
  n = len(labels)
  assert set(per_sequence) == {round(0.15 * 510)}  # 76 of 510 maskable
  fractions = {
      'mask': np.mean(replaced == 4),
      'random': np.mean((replaced != 4) & (replaced != labels)),
      'keep': np.mean(replaced == labels),
  }
  for name, expected in (('mask', 0.8), ('random', 0.1), ('keep', 0.1)):
    bound = 5 * np.sqrt(expected * (1 - expected) / n)  # 5 sigma
    assert abs(fractions[name] - expected) < bound, (name, fractions, n)
  random_ids = replaced[(replaced != 4) & (replaced != labels)]
  assert random_ids.min() >= 5  # never a special token
  assert len(np.unique(random_ids)) > 900  # drawn from the whole vocabulary


def test_special_tokens_and_padding_are_never_chosen():
  special = _special(vocab_size=10)
  rng = np.random.default_rng(1)
  ids = np.array([0, 5, 2, 0, 6, 7, 3, 4, 2, 1])  # unk 3, mask 4, pad 1
  for _ in range(200):
    masked = pretraining.mask_sequence(ids, special, 1.0, 10, rng)
    assert set(masked.positions) == {1, 4, 5}


def test_packing_keeps_documents_whole_and_in_order():
  special = _special()
  docs = [[5] * 10, [6] * 30, [7] * 100, [8] * 4]
  units = [u for d in docs for u in pretraining.document_units(d, special, 40)]
  sequences = list(pretraining.pack(units, 40))
  # 10+2 | 30+2 | 100 = 38+38+24 in wrapped pieces of 40, 40, 26 | 4+2
  # joins the last piece: 26 + 6 = 32 <= 40.
  assert [len(s) for s in sequences] == [12, 32, 40, 40, 32]
  flat = [t for s in sequences for t in s if t not in (0, 2)]
  assert flat == [t for d in docs for t in d]


def _run(*flags):
  return subprocess.run([sys.executable, _CLI, *flags], capture_output=True,
                        text=True, cwd=_REPO, timeout=300, check=False)


@pytest.fixture(scope='module')
def written(tmp_path_factory):
  """(tokenizer, output file, CLI result) for _DOCS with empty lines."""
  tmp = tmp_path_factory.mktemp('pretraining_data')
  tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(str(tmp / 'tok'))
  (tmp / 'corpus.txt').write_text(
      '\n'.join([_DOCS[0], '', _DOCS[1], '   ', *_DOCS[2:]]) + '\n')
  output = str(tmp / 'out' / 'train.tf_record')
  result = _run(f'--input={tmp / "corpus.txt"}', f'--output_file={output}',
                f'--tokenizer={tokenizer_dir}', f'--max_seq_length={_SEQ}',
                f'--max_predictions_per_seq={_PREDICTIONS}',
                '--masked_lm_prob=0.2', '--seed=7', '--dupe_factor=2',
                '--documents=line', '--log_every=2')
  tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
  return tokenizer, output, result


def _records(path):
  spec = {name: tf.io.FixedLenFeature([_SEQ], tf.int64)
          for name in ('input_ids', 'input_mask', 'segment_ids')}
  spec.update(masked_lm_positions=tf.io.FixedLenFeature([_PREDICTIONS],
                                                        tf.int64),
              masked_lm_ids=tf.io.FixedLenFeature([_PREDICTIONS], tf.int64),
              masked_lm_weights=tf.io.FixedLenFeature([_PREDICTIONS],
                                                      tf.float32))
  return [{k: v.numpy() for k, v in tf.io.parse_single_example(r, spec)
           .items()} for r in tf.data.TFRecordDataset(path)]


def test_cli_counts_and_verdict(written):
  _, output, result = written
  assert result.returncode == 0, result.stderr[-3000:]
  counts = dict(re.findall(r'^([a-z_ ]+): (\d+)$', result.stdout, re.M))
  assert counts['documents'] == str(len(_DOCS))
  assert counts['skipped empty documents'] == '2'
  assert counts['documents cut into pieces'] == '1'
  assert int(counts['examples']) == 2 * int(counts['sequences'])
  assert f'Done: {counts["examples"]} examples' in result.stdout
  assert '4 documents, ' in result.stdout  # progress every 2 documents
  assert os.listdir(os.path.dirname(output)) == ['train.tf_record']
  # The read-back check ends without TensorFlow's OUT_OF_RANGE log line
  # (issue 16, item 15).
  assert 'Local rendezvous is aborting' not in result.stderr


def test_records_unmask_and_decode_to_the_documents(written):
  tokenizer, output, _ = written
  records = _records(output)
  pad, mask = tokenizer.pad_token_id, tokenizer.mask_token_id
  units = []
  for record in records[::2]:  # each sequence's first masked copy
    ids = record['input_ids'].copy()
    length = int(record['input_mask'].sum())
    np.testing.assert_array_equal(record['input_mask'][:length], 1)
    assert (ids[length:] == pad).all() and (record['segment_ids'] == 0).all()
    chosen = record['masked_lm_weights'] > 0
    positions = record['masked_lm_positions'][chosen]
    assert 1 <= len(positions) <= _PREDICTIONS
    assert (positions < length).all()
    assert not set(record['masked_lm_ids'][chosen]) & set(
        tokenizer.all_special_ids)
    assert (ids[positions] == mask).any() or len(positions) < 3
    ids[positions] = record['masked_lm_ids'][chosen]
    assert ids[0] == tokenizer.bos_token_id
    text = tokenizer.decode(ids[:length], clean_up_tokenization_spaces=False)
    units += re.findall('<s>(.*?)</s>', text, re.S)
  long_pieces = len(units) - len(_DOCS) + 1
  assert units[:2] + units[2 + long_pieces:] == _DOCS[:2] + _DOCS[3:]
  assert ''.join(units[2:2 + long_pieces]) == _DOCS[2]


def test_model_garden_dataloader_reads_the_records(written):
  _, output, _ = written
  config = pretrain_dataloader.BertPretrainDataConfig(
      input_path=output, seq_length=_SEQ,
      max_predictions_per_seq=_PREDICTIONS, use_next_sentence_label=False,
      global_batch_size=2, is_training=False)
  batch = next(iter(pretrain_dataloader.BertPretrainDataLoader(
      config).load()))
  assert sorted(batch) == ['input_mask', 'input_type_ids', 'input_word_ids',
                           'masked_lm_ids', 'masked_lm_positions',
                           'masked_lm_weights']
  assert batch['input_word_ids'].shape == (2, _SEQ)
  assert batch['masked_lm_positions'].shape == (2, _PREDICTIONS)
  first = _records(output)[0]
  np.testing.assert_array_equal(batch['input_word_ids'][0],
                                first['input_ids'])


@pytest.mark.parametrize('content, message', [
    (b'\n  \n', 'No documents'),
    (b'caf\xe9 latin-1\n', 'is not UTF-8 text'),
])
def test_bad_input_writes_nothing(tmp_path, tiny_tokenizer_dir, content,
                                  message):
  (tmp_path / 'docs').mkdir()
  (tmp_path / 'docs' / 'a.txt').write_bytes(content)
  with pytest.raises(ValueError, match=message):
    pretraining_records.create(pretraining_records.Options(
        input=[str(tmp_path / 'docs')],
        output_file=str(tmp_path / 'out' / 'x.tf_record'),
        tokenizer=tiny_tokenizer_dir, documents='file'))
  assert os.listdir(tmp_path) == ['docs']  # No output, no staging folder.


def _create(tmp_path, tokenizer_dir, text, **kwargs):
  (tmp_path / 'corpus.txt').write_text(text)
  options = pretraining_records.Options(
      input=[str(tmp_path / 'corpus.txt')],
      output_file=str(tmp_path / 'out' / 'train.tf_record'),
      tokenizer=tokenizer_dir, max_seq_length=_SEQ,
      max_predictions_per_seq=_PREDICTIONS, **kwargs)
  return pretraining_records.create(options), options.output_file


def test_existing_output_file_refused_then_replaced(tmp_path,
                                                   tiny_tokenizer_dir):
  counts, output = _create(tmp_path, tiny_tokenizer_dir, _DOCS[0] + '\n')
  assert counts['documents'] == 1
  before = open(output, 'rb').read()
  with pytest.raises(ValueError, match='train.tf_record. Pass --overwrite'):
    _create(tmp_path, tiny_tokenizer_dir, '\n'.join(_DOCS[:2]) + '\n')
  assert open(output, 'rb').read() == before
  counts, _ = _create(tmp_path, tiny_tokenizer_dir,
                      '\n'.join(_DOCS[:2]) + '\n', overwrite=True)
  assert counts['documents'] == 2
  assert len(_records(output)) == counts['examples']
  assert os.listdir(tmp_path / 'out') == ['train.tf_record']


def test_special_token_text_stays_text(tmp_path, tiny_tokenizer_dir):
  text = 'Old <s>price</s> was <pad> dollars, now <mask>.'
  _, output = _create(tmp_path, tiny_tokenizer_dir, text + '\n',
                      masked_lm_prob=0.01)
  record = _records(output)[0]
  ids = record['input_ids'].copy()
  chosen = record['masked_lm_weights'] > 0
  ids[record['masked_lm_positions'][chosen]] = record['masked_lm_ids'][chosen]
  ids = ids[:int(record['input_mask'].sum())]
  tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_tokenizer_dir)
  assert [i for i in ids if i in tokenizer.all_special_ids] == [
      tokenizer.bos_token_id, tokenizer.eos_token_id]
  assert tokenizer.decode(ids[1:-1]) == text
