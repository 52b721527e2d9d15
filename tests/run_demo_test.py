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

"""Tests for utils/run_demo.py's verdict (the demo itself takes minutes)."""
import tensorflow as tf

# tiny_experiment puts the repository root on sys.path.
import tiny_experiment  # pylint: disable=unused-import
from utils import run_demo


def _results(with_global, without):
  return [{'global_size': 1, 'accuracy': with_global},
          {'global_size': 0, 'accuracy': without}]


class VerdictTest(tf.test.TestCase):

  def test_gap_passes(self):
    ok, line = run_demo.verdict(_results(1.0, 0.537))
    self.assertTrue(ok)
    self.assertStartsWith(line, 'Verdict: PASS')
    self.assertIn('100.0% with a global token vs 53.7% without', line)

  def test_no_gap_fails(self):
    for with_global, without in ((0.55, 0.53), (1.0, 0.99)):
      ok, line = run_demo.verdict(_results(with_global, without))
      self.assertFalse(ok)
      self.assertStartsWith(line, 'Verdict: UNEXPECTED')

  def test_single_run_makes_no_claim(self):
    ok, line = run_demo.verdict(_results(1.0, 0.5)[:1])
    self.assertTrue(ok)
    self.assertIn('no comparison', line)


if __name__ == '__main__':
  tf.test.main()
