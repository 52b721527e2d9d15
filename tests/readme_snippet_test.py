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

"""Executes the encoder snippet of docs/encoder.md, as a user would paste it.

The README links that page; the snippet moved there from the README.
"""
import os
import re

import numpy as np
import tensorflow as tf

_SNIPPET_PAGE = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'docs', 'encoder.md')
# The encoder snippet: the Python block after its heading.
_PYTHON_BLOCK = re.compile(
    r'\*\*Use the encoder in your own Model Garden project\*\*.*?'
    r'```python\n(.*?)```', re.DOTALL)
# float32, same weights, same real tokens; only reduction order may differ.
_ATOL = 1e-5


def _snippet() -> str:
  with open(_SNIPPET_PAGE) as f:
    blocks = _PYTHON_BLOCK.findall(f.read())
  if len(blocks) != 1:
    raise AssertionError('expected one ```python block after "Use the '
                         f'encoder in your own ..." in docs/encoder.md, got '
                         f'{len(blocks)}')
  return blocks[0]


class ReadmeSnippetTest(tf.test.TestCase):

  def test_snippet_runs_and_padding_leaves_real_tokens_unchanged(self):
    namespace = {}
    code = compile(_snippet(), 'docs/encoder.md', 'exec')
    exec(code, namespace)  # pylint: disable=exec-used
    outputs, ids = namespace['outputs'], namespace['ids']
    self.assertEqual(outputs['sequence_output'].shape, [2, 5, 768])
    self.assertEqual(outputs['pooled_output'].shape, [2, 768])
    self.assertLen(outputs['encoder_outputs'], 12)
    # Row 2 alone, without its 2 pad tokens, must give the same real tokens:
    # this fails if the mask were built from id 0 (<s>) instead of pad id 1.
    alone = namespace['encoder'](dict(
        input_word_ids=ids[1:, :3], input_mask=tf.ones([1, 3], tf.int32),
        input_type_ids=tf.zeros([1, 3], tf.int32)))
    diff = np.abs(alone['sequence_output'][0] -
                  outputs['sequence_output'][1, :3]).max()
    self.assertLess(diff, _ATOL)


if __name__ == '__main__':
  tf.test.main()
