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

"""Tests for utils/squad_to_tfrecord.py and `longformer.data.squad_records`.

One test runs the CLI as a subprocess (its entry point); the others call
`squad_records.convert`, which the CLI's `main` wraps, in process. The
tokenizer is the tiny RoBERTa-style BPE one (session fixture); the SQuAD
JSON is written here, with one bad question of each kind next to good ones.
"""
import json
import os
import subprocess
import sys
from unittest import mock

import pytest
import tensorflow as tf
import transformers

from longformer.data import squad
from longformer.data import squad_records

REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TOOL = os.path.join(REPO_DIR, 'utils', 'squad_to_tfrecord.py')
_SENTENCE = 'The cat sat on the mat while a dog slept near the door. '
CONTEXT = _SENTENCE * 3 + 'A man is playing a guitar.'
# (id, question, answer text); the answers are in CONTEXT.
GOOD = (('guitar', 'Who is playing a guitar?', 'A man'),
        ('mat', 'The cat sat on what?', 'the mat'),
        ('dog', 'What slept near the door?', 'a dog'))
_ARGS = dict(max_seq_length=40, doc_stride=6, max_query_length=12,
             version_2_with_negative=False, log_every=2)


def squad_json(bad: bool = True, impossible: bool = False) -> dict:
  """A SQuAD-format dict: GOOD, plus bad questions if `bad`.

  Bad: an answer not at its offset, an over-long question, an empty context;
  `impossible` adds a question without an answer (SQuAD v2.0).
  """
  qas = [{'id': i, 'question': q,
          'answers': [{'text': a, 'answer_start': CONTEXT.index(a)}]}
         for i, q, a in GOOD]
  paragraphs = [{'context': CONTEXT, 'qas': qas}]
  if bad:
    qas.append({'id': 'shifted', 'question': 'Who?',
                'answers': [{'text': 'A man', 'answer_start': 3}]})
    qas.append({'id': 'long', 'question': 'the cat ' * 12 + '?',
                'answers': [{'text': 'the mat', 'answer_start': 15}]})
    paragraphs.append({'context': '   ', 'qas': [{
        'id': 'empty', 'question': 'Who?',
        'answers': [{'text': 'x', 'answer_start': 0}]}]})
  if impossible:
    qas.append({'id': 'none', 'question': 'Who sings?', 'answers': [],
                'is_impossible': True})
  return {'version': '1.1', 'data': [{'title': 't', 'paragraphs': paragraphs}]}


def run_tool(args, check=True):
  """Runs the tool; returns its CompletedProcess (stdout holds stderr too)."""
  env = dict(os.environ, CUDA_VISIBLE_DEVICES='')
  result = subprocess.run([sys.executable, _TOOL, *args], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300, check=False)
  if check and result.returncode:
    raise AssertionError(result.stdout[-4000:])
  return result


def read_records(path, names):
  """{feature name: list of int lists} of every record in a TFRecord."""
  out = {n: [] for n in names}
  for raw in tf.data.TFRecordDataset(path):
    example = tf.train.Example.FromString(raw.numpy())
    for n in names:
      out[n].append(list(example.features.feature[n].int64_list.value))
  return out


def _json_file(directory, data, name='squad.json'):
  path = os.path.join(str(directory), name)
  with open(path, 'w') as f:
    json.dump(data, f)
  return path


def _convert(tokenizer_dir, data, output_dir, global_size=None,
             overwrite=False, **args):
  """Converts `data` as both splits in process; returns the metadata."""
  path = _json_file(os.path.dirname(str(output_dir)), data,
                    os.path.basename(str(output_dir)) + '.json')
  return squad_records.convert({'train': path, 'eval': path}, tokenizer_dir,
                               str(output_dir), dict(_ARGS, **args),
                               global_size, overwrite)


@pytest.fixture(scope='module')
def v1(tiny_tokenizer_dir, tmp_path_factory):
  """One v1.1 conversion (bad and unanswerable questions included), made by
  the CLI in a subprocess: (output dir, CompletedProcess)."""
  tmp = tmp_path_factory.mktemp('squad_v1')
  path = _json_file(tmp, squad_json(impossible=True))
  out = str(tmp / 'v1')
  result = run_tool([f'--train_file={path}', f'--eval_file={path}',
                     f'--tokenizer={tiny_tokenizer_dir}',
                     '--max_seq_length=40', '--doc_stride=6',
                     '--max_query_length=12', '--log_every=2',
                     '--global_attention_size=13', f'--output_dir={out}'])
  return out, result


@pytest.fixture(scope='module')
def tokenizer(tiny_tokenizer_dir):
  return transformers.AutoTokenizer.from_pretrained(tiny_tokenizer_dir)


def test_cli_windows_layout_marks_and_labels(v1, tokenizer):
  out, result = v1
  assert 'OK: wrote train, eval' in result.stdout
  # The read-back check ends without TensorFlow's OUT_OF_RANGE log line
  # (issue 16, item 15).
  assert 'Local rendezvous is aborting' not in result.stdout
  train = read_records(os.path.join(out, 'train.tf_record'), [
      'input_ids', 'input_mask', 'segment_ids', 'start_positions',
      'end_positions'])
  # Every window: <s> question </s></s> context </s> pad..., pad id 1.
  question_ids = {q: tokenizer(q, add_special_tokens=False)['input_ids']
                  for _, q, _ in GOOD}
  answers_found = set()
  for ids, mask, types, start, end in zip(*train.values()):
    assert len(ids) == 40
    assert ids[0] == tokenizer.cls_token_id
    num_global = mask.count(2)
    assert ids[1:num_global] in list(question_ids.values())
    assert mask[:num_global] == [2] * num_global
    assert ids[num_global:num_global + 2] == [2, 2]
    real = mask.count(1) + num_global
    assert ids[real - 1] == tokenizer.sep_token_id
    assert ids[real:] == [tokenizer.pad_token_id] * (40 - real)
    assert mask[real:] == [0] * (40 - real)
    assert set(types) == {0}
    if end[0]:
      answers_found.add(tokenizer.decode(ids[start[0]:end[0] + 1]).strip())
  assert answers_found == {a for _, _, a in GOOD}


def test_bad_questions_counted_by_reason(v1):
  out, result = v1
  with open(os.path.join(out, 'meta_data.json')) as f:
    meta = json.load(f)
  for split in ('train', 'eval'):
    info = meta['splits'][split]
    assert info['questions'] == len(GOOD)
    assert info['questions_in_file'] == len(GOOD) + 4
    assert info['skipped'] == {
        'answer_not_at_offset': 1, 'question_too_long': 1,
        'empty_context': 1, 'no_answer_in_v1_file': 1,
        'answer_covers_no_token': 0}
  assert '1 answer_not_at_offset' in result.stdout
  assert meta['global_attention_size'] == 13
  with open(os.path.join(out, 'eval_features.jsonl')) as f:
    ids = [json.loads(line)['id'] for line in f]
  assert ids == [i for i, _, _ in GOOD]


def test_eval_offsets_map_back_to_context(v1, tokenizer):
  out, _ = v1
  records = read_records(os.path.join(out, 'eval.tf_record'),
                         ['input_ids', 'unique_ids'])
  by_uid = dict(zip((u[0] for u in records['unique_ids']),
                    records['input_ids']))
  with open(os.path.join(out, 'eval_features.jsonl')) as f:
    lines = [json.loads(line) for line in f]
  for line in lines:
    assert len(line['features']) > 1  # the context is split
    covered = ''
    for feature in line['features']:
      ids = by_uid[feature['unique_id']]
      first = feature['context_start']
      for i, (s, e) in enumerate(feature['offsets']):
        token = tokenizer.decode([ids[first + i]])
        assert token.strip() == line['context'][s:e].strip()
      covered = max(covered, line['context'][:feature['offsets'][-1][1]])
    assert covered == CONTEXT  # the windows reach the end


def test_version_2_keeps_unanswerable_questions(v1, tiny_tokenizer_dir,
                                                tmp_path):
  v2 = _convert(tiny_tokenizer_dir, squad_json(bad=False, impossible=True),
                tmp_path / 'v2', version_2_with_negative=True)
  v2 = v2['splits']['train']
  with open(os.path.join(v1[0], 'meta_data.json')) as f:
    v1_train = json.load(f)['splits']['train']
  assert v2['questions'] == len(GOOD) + 1
  assert v2['skipped']['no_answer_in_v1_file'] == 0
  # The unanswerable question's windows all point at <s> (position 0).
  extra_windows = v2['windows'] - v1_train['windows']
  assert extra_windows > 0
  assert (v2['windows_without_answer'] - v1_train['windows_without_answer']
          == extra_windows)


def test_cap_above_global_size_refused_and_nothing_written(
    tiny_tokenizer_dir, tmp_path):
  with pytest.raises(ValueError, match='more than --global_attention_size=8'):
    _convert(tiny_tokenizer_dir, squad_json(), tmp_path / 'out', 8)
  assert not (tmp_path / 'out').exists()


def test_all_questions_bad_writes_nothing(tiny_tokenizer_dir, tmp_path):
  data = squad_json()
  qas = data['data'][0]['paragraphs'][0]['qas']
  data['data'][0]['paragraphs'][0]['qas'] = qas[3:]  # only the bad ones
  with pytest.raises(ValueError, match='every question was skipped'):
    _convert(tiny_tokenizer_dir, data, tmp_path / 'out')
  assert sorted(os.listdir(tmp_path)) == ['out.json']  # No staging left.


def test_duplicate_question_ids_are_refused_by_name(tiny_tokenizer_dir,
                                                    tmp_path):
  data = squad_json(bad=False)
  qas = data['data'][0]['paragraphs'][0]['qas']
  qas.append(dict(qas[1]))  # 'mat' twice
  data['data'][0]['paragraphs'].append(
      {'context': CONTEXT, 'qas': [dict(qas[0])]})  # 'guitar' in another
  with pytest.raises(ValueError, match=r"2 question ids appear more than "
                     r"once: 'guitar' \(2x\), 'mat' \(2x\)"):
    _convert(tiny_tokenizer_dir, data, tmp_path / 'out')
  assert not (tmp_path / 'out').exists()


def _broken(path_to_field, value):
  """squad_json() with the field at `path_to_field` set (or deleted)."""
  data = squad_json(bad=False)
  record = data
  for key in path_to_field[:-1]:
    record = record[key]
  if value is _DELETE:
    del record[path_to_field[-1]]
  else:
    record[path_to_field[-1]] = value
  return data


_DELETE = object()
_QA = ('data', 0, 'paragraphs', 0, 'qas', 1)


@pytest.mark.parametrize('field, value, message', [
    (_QA + ('id',), _DELETE,
     r'data\[0\]\.paragraphs\[0\]\.qas\[1\] field "id" is missing'),
    (_QA + ('question',), _DELETE,
     r"qas\[1\] \(id 'mat'\) field \"question\" is missing"),
    (('data', 0, 'paragraphs'), _DELETE,
     r'data\[0\] field "paragraphs" is missing'),
    (('data', 0, 'paragraphs', 0, 'context'), None,
     r'paragraphs\[0\] field "context" is None'),
    (('data',), {'title': 'not a list'}, 'needs a top-level object with a '
     '"data" list'),
])
def test_malformed_squad_json_names_file_record_and_field(
    tiny_tokenizer_dir, tmp_path, field, value, message):
  with pytest.raises(ValueError, match=message) as raised:
    _convert(tiny_tokenizer_dir, _broken(field, value), tmp_path / 'out')
  assert str(tmp_path / 'out.json') in str(raised.value)


def test_special_token_text_stays_text(tiny_tokenizer_dir, tokenizer,
                                       tmp_path):
  """`<s>`, `</s>`, `<pad>`, `<mask>` in a context or question are text."""
  context = 'Old <s>price</s> was <pad> and <mask> now. A man sat.'
  data = {'data': [{'paragraphs': [{'context': context, 'qas': [{
      'id': 'q', 'question': 'Who <s> sat?',
      'answers': [{'text': 'A man', 'answer_start': context.index('A man')}]
  }]}]}]}
  _convert(tiny_tokenizer_dir, data, tmp_path / 'out', max_seq_length=64)
  records = read_records(str(tmp_path / 'out' / 'eval.tf_record'),
                         ['input_ids', 'input_mask'])
  ids, mask = records['input_ids'][0], records['input_mask'][0]
  real = [i for i, m in zip(ids, mask) if m]
  specials = {tokenizer.cls_token_id, tokenizer.sep_token_id,
              tokenizer.pad_token_id, tokenizer.mask_token_id}
  # Only the layout's own <s> and three </s> are control ids.
  assert [i for i in real if i in specials] == [0, 2, 2, 2]
  assert tokenizer.decode(real[1:mask.count(2)]) == ' Who <s> sat?'.lstrip()
  with open(tmp_path / 'out' / 'eval_features.jsonl') as f:
    feature = json.loads(f.readline())['features'][0]
  start = feature['context_start']
  text = tokenizer.decode(real[start:start + len(feature['offsets'])])
  assert text == context


def test_misaligned_gold_answer_leaves_the_others_scored(tiny_tokenizer_dir,
                                                         tmp_path):
  data = squad_json(bad=False)
  qa = data['data'][0]['paragraphs'][0]['qas'][0]  # 'guitar': 'A man'
  qa['answers'].insert(0, {'text': 'A man', 'answer_start': 3})  # misaligned
  meta = _convert(tiny_tokenizer_dir, data, tmp_path / 'out')
  info = meta['splits']['eval']
  assert info['questions'] == len(GOOD)
  assert info['answers_not_at_offset'] == 1
  assert info['skipped']['answer_not_at_offset'] == 0
  with open(tmp_path / 'out' / 'eval_features.jsonl') as f:
    answers = {json.loads(line)['id']: json.loads(line)['answers']
               for line in f}
  assert answers['guitar'] == ['A man']


def test_existing_output_refused_then_replaced_whole(tiny_tokenizer_dir,
                                                     tmp_path):
  out = tmp_path / 'out'
  _convert(tiny_tokenizer_dir, squad_json(), out)
  before = {n: (out / n).read_bytes() for n in os.listdir(out)}
  path = _json_file(tmp_path, squad_json())
  with pytest.raises(ValueError, match='already exists.*--overwrite'):
    squad_records.convert({'train': path}, tiny_tokenizer_dir, str(out),
                          dict(_ARGS, max_seq_length=48))
  assert {n: (out / n).read_bytes() for n in os.listdir(out)} == before
  squad_records.convert({'train': path}, tiny_tokenizer_dir, str(out),
                        dict(_ARGS, max_seq_length=48), overwrite=True)
  # The earlier run's eval files (of another length) are gone.
  assert sorted(os.listdir(out)) == ['meta_data.json', 'train.tf_record']
  with open(out / 'meta_data.json') as f:
    assert json.load(f)['max_seq_length'] == 48


def test_failure_during_overwrite_keeps_the_old_set(tiny_tokenizer_dir,
                                                    tmp_path):
  out = tmp_path / 'out'
  _convert(tiny_tokenizer_dir, squad_json(), out)
  before = {n: (out / n).read_bytes() for n in os.listdir(out)}
  with mock.patch.object(squad, 'eval_record',
                         side_effect=RuntimeError('killed mid-write')):
    with pytest.raises(RuntimeError, match='killed mid-write'):
      _convert(tiny_tokenizer_dir, squad_json(), out, overwrite=True)
  # Nothing partial: the old set, no staging folder, no .incomplete file.
  assert {n: (out / n).read_bytes() for n in os.listdir(out)} == before

