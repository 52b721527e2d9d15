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

"""Tests for known_warnings.py: only key_global biases and the unused
pooler are hidden."""
import logging
import os
import subprocess
import sys

import tensorflow as tf

from longformer.training import known_warnings

_MESSAGE = 'Gradients do not exist for variables %s when minimizing the loss.'
_BIAS = ('longformer_encoder/transformer/layer_0/self_attention/'
         'key_global/bias:0')
_POOLER = 'longformer_encoder/pooler_transform/kernel:0'
_OTHER = 'classifier/dense/kernel:0'


class _Collect(logging.Handler):

  def __init__(self):
    super().__init__()
    self.messages = []

  def emit(self, record):
    self.messages.append(record.getMessage())


class KnownWarningsTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    known_warnings.install()
    self._logger = logging.getLogger('tensorflow')
    self._handler = _Collect()
    self._logger.addHandler(self._handler)

  def tearDown(self):
    self._logger.removeHandler(self._handler)
    super().tearDown()

  def test_only_key_global_biases_is_dropped(self):
    self._logger.warning(_MESSAGE, [_BIAS, _BIAS.replace('layer_0', 'layer_1')])
    self.assertEqual(self._handler.messages, [])

  def test_unused_pooler_is_dropped(self):
    self._logger.warning(_MESSAGE, [_POOLER, _POOLER.replace('kernel', 'bias')])
    self.assertEqual(self._handler.messages, [])

  def test_other_variables_are_still_reported_without_the_known(self):
    self._logger.warning(_MESSAGE, [_BIAS, _POOLER, _OTHER])
    self.assertEqual(self._handler.messages, [_MESSAGE % [_OTHER]])

  def test_other_warnings_pass(self):
    self._logger.warning('key_global/bias:0 has NaN')
    self.assertEqual(self._handler.messages, ['key_global/bias:0 has NaN'])


class CliNoiseTest(tf.test.TestCase):

  def test_a_cli_importing_the_package_prints_no_pkg_resources_warning(self):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        [sys.executable, os.path.join(repo, 'utils',
                                      'longformer_tokenizer_to_tfrecord.py'),
         '--helpshort'], capture_output=True, text=True, timeout=300,
        check=False, env=dict(os.environ, PYTHONPATH=repo))
    self.assertIn('--max_seq_length', result.stdout, result.stderr[-3000:])
    self.assertNotIn('pkg_resources is deprecated', result.stderr)


if __name__ == '__main__':
  tf.test.main()
