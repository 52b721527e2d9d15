"""Tests for utils/squad_to_tfrecord.py, run as a subprocess as users run it.

The tokenizer is the tiny RoBERTa-style BPE one the test trains; the SQuAD
JSON is written here, with one bad question of each kind next to good ones.
"""
import json
import os
import subprocess
import sys

import tensorflow as tf

import tiny_tokenizer

REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TOOL = os.path.join(REPO_DIR, 'utils', 'squad_to_tfrecord.py')
_SENTENCE = 'The cat sat on the mat while a dog slept near the door. '
CONTEXT = _SENTENCE * 3 + 'A man is playing a guitar.'
# (id, question, answer text); the answers are in CONTEXT.
GOOD = (('guitar', 'Who is playing a guitar?', 'A man'),
        ('mat', 'The cat sat on what?', 'the mat'),
        ('dog', 'What slept near the door?', 'a dog'))


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
                          text=True, timeout=120, check=False)
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


class SquadToTfrecordTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls._tmp = tf.compat.v1.test.get_temp_dir()
    cls._tokenizer_dir = tiny_tokenizer.build_tiny_tokenizer(
        os.path.join(cls._tmp, 'squad_tokenizer'))
    # One v1.1 conversion (bad questions and an unanswerable one included)
    # serves most tests; each tool run costs a TensorFlow start-up.
    cls._out = os.path.join(cls._tmp, 'v1')
    cls._v1_result = cls._convert(squad_json(impossible=True), cls._out,
                                  '--global_attention_size=13')

  @classmethod
  def _convert(cls, data, output_dir, *extra, check=True):
    path = os.path.join(cls._tmp, os.path.basename(output_dir) + '.json')
    with open(path, 'w') as f:
      json.dump(data, f)
    return run_tool([f'--train_file={path}', f'--eval_file={path}',
                     f'--tokenizer={cls._tokenizer_dir}',
                     '--max_seq_length=40', '--doc_stride=6',
                     '--max_query_length=12', '--log_every=2',
                     f'--output_dir={output_dir}', *extra], check=check)

  def test_windows_layout_marks_and_labels(self):
    import transformers  # pylint: disable=g-import-not-at-top
    tokenizer = transformers.AutoTokenizer.from_pretrained(self._tokenizer_dir)
    out = self._out
    self.assertIn('OK: wrote train, eval', self._v1_result.stdout)
    train = read_records(os.path.join(out, 'train.tf_record'), [
        'input_ids', 'input_mask', 'segment_ids', 'start_positions',
        'end_positions'])
    # Every window: <s> question </s></s> context </s> pad..., pad id 1.
    question_ids = {q: tokenizer(q, add_special_tokens=False)['input_ids']
                    for _, q, _ in GOOD}
    answers_found = set()
    for ids, mask, types, start, end in zip(*train.values()):
      self.assertLen(ids, 40)
      self.assertEqual(ids[0], tokenizer.cls_token_id)
      num_global = mask.count(2)
      question = ids[1:num_global]
      self.assertIn(question, list(question_ids.values()))
      self.assertEqual(mask[:num_global], [2] * num_global)
      self.assertEqual(ids[num_global:num_global + 2], [2, 2])
      real = mask.count(1) + num_global
      self.assertEqual(ids[real - 1], tokenizer.sep_token_id)
      self.assertEqual(ids[real:], [tokenizer.pad_token_id] * (40 - real))
      self.assertEqual(mask[real:], [0] * (40 - real))
      self.assertEqual(set(types), {0})
      if end[0]:
        text = tokenizer.decode(ids[start[0]:end[0] + 1]).strip()
        answers_found.add(text)
    self.assertEqual(answers_found, {a for _, _, a in GOOD})

  def test_bad_questions_counted_by_reason(self):
    out, result = self._out, self._v1_result
    with open(os.path.join(out, 'meta_data.json')) as f:
      meta = json.load(f)
    for split in ('train', 'eval'):
      info = meta['splits'][split]
      self.assertEqual(info['questions'], len(GOOD))
      self.assertEqual(info['skipped']['answer_not_at_offset'], 1)
      self.assertEqual(info['skipped']['question_too_long'], 1)
      self.assertEqual(info['skipped']['empty_context'], 1)
      self.assertEqual(info['skipped']['no_answer_in_v1_file'], 1)
    self.assertIn('1 answer_not_at_offset', result.stdout)
    self.assertEqual(meta['global_attention_size'], 13)
    with open(os.path.join(out, 'eval_features.jsonl')) as f:
      ids = [json.loads(line)['id'] for line in f]
    self.assertEqual(ids, [i for i, _, _ in GOOD])

  def test_eval_offsets_map_back_to_context(self):
    out = self._out
    records = read_records(os.path.join(out, 'eval.tf_record'),
                           ['input_ids', 'unique_ids'])
    import transformers  # pylint: disable=g-import-not-at-top
    tokenizer = transformers.AutoTokenizer.from_pretrained(self._tokenizer_dir)
    by_uid = dict(zip((u[0] for u in records['unique_ids']),
                      records['input_ids']))
    with open(os.path.join(out, 'eval_features.jsonl')) as f:
      lines = [json.loads(line) for line in f]
    for line in lines:
      self.assertGreater(len(line['features']), 1)  # the context is split
      covered = ''
      for feature in line['features']:
        ids = by_uid[feature['unique_id']]
        first = feature['context_start']
        for i, (s, e) in enumerate(feature['offsets']):
          token = tokenizer.decode([ids[first + i]])
          self.assertEqual(token.strip(), line['context'][s:e].strip())
        covered = max(covered, line['context'][:feature['offsets'][-1][1]])
      self.assertEqual(covered, CONTEXT)  # the windows reach the end

  def test_version_2_keeps_unanswerable_questions(self):
    out = os.path.join(self.get_temp_dir(), 'v2')
    self._convert(squad_json(bad=False, impossible=True), out,
                  '--version_2_with_negative')
    with open(os.path.join(out, 'meta_data.json')) as f:
      v2 = json.load(f)['splits']['train']
    with open(os.path.join(self._out, 'meta_data.json')) as f:
      v1 = json.load(f)['splits']['train']
    self.assertEqual(v2['questions'], len(GOOD) + 1)
    self.assertEqual(v2['skipped']['no_answer_in_v1_file'], 0)
    # The unanswerable question's windows all point at <s> (position 0).
    extra_windows = v2['windows'] - v1['windows']
    self.assertGreater(extra_windows, 0)
    self.assertEqual(
        v2['windows_without_answer'] - v1['windows_without_answer'],
        extra_windows)

  def test_cap_above_global_size_refused_and_nothing_written(self):
    out = os.path.join(self.get_temp_dir(), 'refused')
    result = self._convert(squad_json(), out, '--global_attention_size=8',
                           check=False)
    self.assertNotEqual(result.returncode, 0)
    self.assertIn('more than --global_attention_size=8', result.stdout)
    self.assertFalse(os.path.exists(out))

  def test_all_questions_bad_writes_nothing(self):
    out = os.path.join(self.get_temp_dir(), 'none')
    data = squad_json()
    data['data'][0]['paragraphs'][0]['qas'] = (
        data['data'][0]['paragraphs'][0]['qas'][3:])  # only the bad ones
    result = self._convert(data, out, check=False)
    self.assertNotEqual(result.returncode, 0)
    self.assertIn('every question was skipped', result.stdout)
    self.assertFalse(os.path.exists(out))


if __name__ == '__main__':
  tf.test.main()
