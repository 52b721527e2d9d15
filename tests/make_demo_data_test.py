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

"""Tests for the offline demo's data (utils/make_demo_data.py) and YAML."""
import os

import numpy as np
import tensorflow as tf

from official.core import exp_factory
from official.modeling import hyperparams
import longformer  # pylint: disable=unused-import
import tiny_experiment
from utils import make_demo_data

_DEMO_YAML = os.path.join(tiny_experiment.REPO_DIR, 'experiments',
                          'demo_long_range.yaml')


def _default(name):
  return make_demo_data.DEFAULTS[name]


class MakeExampleTest(tf.test.TestCase):

  def test_label_lives_only_in_markers_past_min_position(self):
    rng = np.random.default_rng(0)
    for _ in range(50):
      ex = make_demo_data.make_example(
          rng, seq_length=128, min_length=90, min_marker_position=40,
          num_markers=5, vocab_size=20)
      ids, mask = np.array(ex['input_ids']), np.array(ex['input_mask'])
      length = int(mask.sum())
      self.assertAllEqual(mask, np.arange(128) < length)
      self.assertBetween(length, 90, 128)
      self.assertEqual(ids[0], make_demo_data.CLS_ID)
      self.assertEqual(ids[length - 1], make_demo_data.SEP_ID)
      self.assertAllEqual(ids[length:], [make_demo_data.PAD_ID] *
                          (128 - length))
      label = ex['label_ids'][0]
      markers = np.flatnonzero(np.isin(ids, make_demo_data.MARKER_IDS))
      self.assertLen(markers, 5)
      self.assertAllEqual(ids[markers], [make_demo_data.MARKER_IDS[label]] * 5)
      self.assertGreaterEqual(markers.min(), 40)
      self.assertLess(markers.max(), length - 1)

  def test_too_many_markers_is_an_error(self):
    with self.assertRaisesRegex(ValueError, 'num_markers=30'):
      make_demo_data._check_flags(  # pylint: disable=protected-access
          seq_length=64, min_length=40, min_marker_position=16,
          num_markers=30, vocab_size=64)


class DemoYamlTest(tf.test.TestCase):
  """The demo's claim: without global attention <s> cannot see a marker."""

  def setUp(self):
    super().setUp()
    params = exp_factory.get_exp_config('longformer/glue')
    self.params = hyperparams.override_params_dict(params, _DEMO_YAML,
                                                   is_strict=True)

  def test_markers_lie_beyond_the_first_tokens_local_reach(self):
    encoder = self.params.task.model.encoder.any
    self.assertLen(encoder.attention_window, 1)
    # Each layer lets a token see attention_window // 2 tokens further.
    reach = encoder.num_layers * (encoder.attention_window[0] // 2)
    self.assertLess(reach, _default('min_marker_position'))
    self.assertEqual(encoder.global_attention_size, 1)

  def test_data_defaults_match_the_yaml(self):
    model = self.params.task.model
    self.assertEqual(self.params.task.train_data.seq_length,
                     _default('seq_length'))
    self.assertEqual(model.encoder.any.vocab_size, _default('vocab_size'))
    self.assertEqual(model.num_classes, len(make_demo_data.MARKER_IDS))
    # 8 eval steps x 64 cover the eval set exactly.
    self.assertEqual(self.params.trainer.validation_steps *
                     self.params.task.validation_data.global_batch_size,
                     _default('num_eval'))


class WriteDemoDataTest(tf.test.TestCase):

  def test_existing_output_refused_then_replaced_whole(self):
    out = os.path.join(self.get_temp_dir(), 'demo_data')
    kwargs = dict(seq_length=32, min_length=24, min_marker_position=4,
                  num_markers=2, vocab_size=16)
    make_demo_data.write_demo_data(out, 3, 2, 0, **kwargs)
    with open(os.path.join(out, 'demo_old.tf_record'), 'w') as f:
      f.write('an earlier run')
    with self.assertRaisesRegex(ValueError, 'already exists.*--overwrite'):
      make_demo_data.write_demo_data(out, 5, 2, 0, **kwargs)
    make_demo_data.write_demo_data(out, 5, 2, 0, overwrite=True, **kwargs)
    self.assertEqual(sorted(os.listdir(out)),
                     ['demo_eval.tf_record', 'demo_train.tf_record'])
    count = sum(1 for _ in tf.data.TFRecordDataset(
        os.path.join(out, 'demo_train.tf_record')))
    self.assertEqual(count, 5)


if __name__ == '__main__':
  tf.test.main()
