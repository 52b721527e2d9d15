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

"""Tests for utils/make_qa_demo_data.py: the answer sits where the labels say,
far from the question, and only the asked key leads to it."""
import json
import os

import numpy as np
import tensorflow as tf
import yaml

import squad_to_tfrecord_test as tool_test
from utils import make_qa_demo_data as demo

_ARGS = dict(demo.DEFAULTS, seq_length=256, min_length=200,
             min_pair_position=40, num_pairs=4)


class MakeQaDemoDataTest(tf.test.TestCase):

  def test_labels_point_at_the_values_after_the_asked_key(self):
    rng = np.random.default_rng(3)
    for n in range(20):
      example, window = demo.make_example(rng, f'q{n}', _ARGS, 'question')
      ids, start = window.input_ids, window.start_position
      asked_key = ids[2]
      self.assertEqual(ids[start - 1], asked_key)  # the key, then its value
      self.assertEqual(window.end_position, start)
      key_index = asked_key - demo.FIRST_KEY_ID
      first_value = demo.FIRST_KEY_ID + _ARGS['num_keys'] + (
          key_index * _ARGS['values_per_key'])
      self.assertBetween(ids[start], first_value,
                         first_value + _ARGS['values_per_key'] - 1)
      self.assertGreaterEqual(start - window.context_start,
                              _ARGS['min_pair_position'])
      # The asked key occurs once in the context.
      context_ids = ids[window.context_start:]
      self.assertEqual(context_ids.count(asked_key), 1)
      # Offsets map the labelled tokens back to the answer text.
      first = window.offsets[start - window.context_start][0]
      last = window.offsets[window.end_position - window.context_start][1]
      self.assertEqual(example.context[first:last], example.answers[0])
      self.assertEqual(example.context[example.answer_start:].split()[0],
                       example.answers[0])

  def test_masks_mark_question_or_nothing(self):
    rng = np.random.default_rng(0)
    _, marked = demo.make_example(rng, 'a', _ARGS, 'question')
    rng = np.random.default_rng(0)
    _, plain = demo.make_example(rng, 'a', _ARGS, 'first')
    self.assertEqual(marked.input_ids, plain.input_ids)
    self.assertEqual(marked.input_mask[:4], [2, 2, 2, 1])
    self.assertEqual(set(plain.input_mask), {0, 1})
    self.assertLen(marked.input_ids, _ARGS['seq_length'])
    real = marked.input_mask.index(0)
    self.assertEqual(marked.input_ids[real - 1], demo.SPECIAL.sep)
    self.assertEqual(set(marked.input_ids[real:]), {demo.SPECIAL.pad})

  def test_files_are_readable_as_qa_records(self):
    out = os.path.join(self.get_temp_dir(), 'demo')
    args = dict(_ARGS, num_train=6, num_eval=3)
    demo.write_demo_data(out, 'question', args)
    train = tool_test.read_records(os.path.join(out, 'train.tf_record'),
                                   ['start_positions', 'input_mask'])
    self.assertLen(train['start_positions'], 6)
    evals = tool_test.read_records(os.path.join(out, 'eval.tf_record'),
                                   ['unique_ids'])
    self.assertEqual(evals['unique_ids'], [[0], [1], [2]])
    with open(os.path.join(out, 'eval_features.jsonl')) as f:
      lines = [json.loads(line) for line in f]
    self.assertEqual([l['features'][0]['unique_id'] for l in lines], [0, 1, 2])
    self.assertEqual(sorted(os.listdir(out)), [
        'eval.tf_record', 'eval_features.jsonl', 'train.tf_record'])

  def test_existing_output_refused_then_replaced_whole(self):
    out = os.path.join(self.get_temp_dir(), 'demo_overwrite')
    args = dict(_ARGS, num_train=2, num_eval=1)
    demo.write_demo_data(out, 'question', args)
    with open(os.path.join(out, 'old_split.tf_record'), 'w') as f:
      f.write('an earlier run')
    with self.assertRaisesRegex(ValueError, 'already exists.*--overwrite'):
      demo.write_demo_data(out, 'first', dict(args, num_train=4))
    self.assertLen(tool_test.read_records(
        os.path.join(out, 'train.tf_record'), ['unique_ids'])['unique_ids'], 2)
    demo.write_demo_data(out, 'first', dict(args, num_train=4),
                         overwrite=True)
    self.assertEqual(sorted(os.listdir(out)), [
        'eval.tf_record', 'eval_features.jsonl', 'train.tf_record'])
    train = tool_test.read_records(os.path.join(out, 'train.tf_record'),
                                   ['input_mask'])['input_mask']
    self.assertLen(train, 4)
    self.assertNotIn(2, train[0])  # global_mode 'first': a 0/1 mask.

  def test_defaults_put_every_pair_beyond_the_demo_models_reach(self):
    # The <s>-only baseline of experiments/demo_qa.yaml must have no path
    # from the question to any pair: one layer, and pairs farther from the
    # question than half the attention window.
    path = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), 'experiments', 'demo_qa.yaml')
    with open(path) as f:
      encoder = yaml.safe_load(f)['task']['model']['encoder']['any']
    self.assertEqual(encoder['num_layers'], 1)
    self.assertEqual(encoder['vocab_size'], demo.DEFAULTS['vocab_size'])
    rng = np.random.default_rng(5)
    for n in range(5):
      _, window = demo.make_example(rng, f'q{n}', demo.DEFAULTS, 'question')
      key_ids = range(demo.FIRST_KEY_ID,
                      demo.FIRST_KEY_ID + demo.DEFAULTS['num_keys'])
      context = window.input_ids[window.context_start:]
      pair_at = [window.context_start + i for i, t in enumerate(context)
                 if t in key_ids]
      self.assertLen(pair_at, demo.DEFAULTS['num_pairs'])
      last_question_token = window.context_start - 3  # the key, then </s></s>
      self.assertGreater(min(pair_at) - last_question_token,
                         encoder['attention_window'][0] // 2)


if __name__ == '__main__':
  tf.test.main()
