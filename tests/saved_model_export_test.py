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

"""Tests for utils/export_saved_model.py and longformer/serving/.

A `longformer/glue` model_dir (params.yaml + a checkpoint saved the way
Model Garden's trainer saves it) is exported by the CLI with `serve_examples`
parsing 11-token records (window 8); a fresh Python process that never
imports `longformer` loads the SavedModel, and its outputs must equal the
Keras model's at three lengths, through both signatures. The
`longformer/squad` export: qa_saved_model_export_test.py.
"""
import json
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

from official.core import exp_factory
from official.core import task_factory
from official.core import train_utils
from longformer.serving import sentence_prediction_module
import cli_in_process
import tiny_experiment

_EXPORT_PY = os.path.join(tiny_experiment.REPO_DIR, 'utils',
                          'export_saved_model.py')
# Not the training seq_length (64), so the flag is used; and a static length
# <= 1.5 x the window (8) that is not a multiple of window / 4 (issue 16).
_EXAMPLE_LENGTH = 11
_NUM_CLASSES = 3
# Same float32 graph, reloaded; only op scheduling may differ.
_ATOL = 1e-5

# Runs in a fresh interpreter: only TensorFlow, never `longformer`.
_LOAD_SCRIPT = '''
import json, sys
import numpy as np
import tensorflow as tf
loaded = tf.saved_model.load(sys.argv[1])
batches = json.loads(sys.argv[2])
out = {}
for name, batch in batches.items():
  fn = loaded.signatures['serving_default']
  out[name] = fn(input_word_ids=tf.constant(batch['ids'], tf.int32),
                 input_mask=tf.constant(batch['mask'], tf.int32)
                 )['outputs'].numpy().tolist()
examples = [bytes.fromhex(h) for h in json.loads(sys.argv[3])]
out['examples'] = loaded.signatures['serve_examples'](
    examples=tf.constant(examples))['outputs'].numpy().tolist()
out['longformer_imported'] = any(
    m.startswith('longformer') for m in sys.modules)
print('RESULT ' + json.dumps(out))
'''


def _batch(rng, batch, length, pad_from=None):
  ids = rng.integers(3, tiny_experiment.ENCODER['vocab_size'],
                     size=(batch, length))
  ids[:, 0] = 0  # <s>: id 0 is a real token, never padding
  mask = np.ones_like(ids)
  if pad_from is not None:
    mask[-1, pad_from:] = 0
    ids[-1, pad_from:] = 1  # RoBERTa's pad id
  return ids.astype(np.int32), mask.astype(np.int32)


def _example(ids, mask):
  feature = lambda v: tf.train.Feature(int64_list=tf.train.Int64List(value=v))
  return tf.train.Example(features=tf.train.Features(feature={
      'input_ids': feature(ids), 'input_mask': feature(mask),
      'segment_ids': feature([0] * len(ids)), 'label_ids': feature([1]),
  })).SerializeToString()


class ExportSavedModelTest(tf.test.TestCase):

  def _model_dir(self):
    """A model_dir as train.py leaves it, with random non-initial weights."""
    params = exp_factory.get_exp_config('longformer/glue')
    params.override(tiny_experiment.glue_overrides('x', 'y'), is_strict=True)
    params.task.model.num_classes = _NUM_CLASSES
    model_dir = os.path.join(self.get_temp_dir(), 'model')
    train_utils.serialize_config(params, model_dir)
    model = task_factory.get_task(params.task).build_model()
    rng = np.random.default_rng(1)
    for variable in model.variables:
      variable.assign(rng.normal(0, 0.2, variable.shape).astype(np.float32))
    tf.train.Checkpoint(model=model, **model.checkpoint_items).save(
        os.path.join(model_dir, 'ckpt'))
    return model_dir, model

  def _export(self, model_dir, output_dir):
    return subprocess.run(
        [sys.executable, _EXPORT_PY, f'--model_dir={model_dir}',
         f'--output_dir={output_dir}', f'--seq_length={_EXAMPLE_LENGTH}'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300, check=False)

  def test_exported_outputs_equal_keras_in_a_fresh_process(self):
    model_dir, model = self._model_dir()
    output_dir = os.path.join(self.get_temp_dir(), 'serving', '1')
    result = self._export(model_dir, output_dir)
    self.assertEqual(result.returncode, 0, result.stdout[-3000:])
    self.assertIn(f'OK: SavedModel at {output_dir} (signatures '
                  'serve_examples, serving_default, each called',
                  result.stdout)
    self.assertEqual(os.listdir(os.path.dirname(output_dir)), ['1'])

    rng = np.random.default_rng(2)
    batches = {'one_24': _batch(rng, 1, 24), 'three_40': _batch(rng, 3, 40, 29),
               'three_examples': _batch(rng, 3, _EXAMPLE_LENGTH, 7)}
    examples = [_example(i.tolist(), m.tolist())
                for i, m in zip(*batches['three_examples'])]
    load = subprocess.run(
        [sys.executable, '-c', _LOAD_SCRIPT, output_dir,
         json.dumps({k: {'ids': i.tolist(), 'mask': m.tolist()}
                     for k, (i, m) in batches.items()}),
         json.dumps([e.hex() for e in examples])],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300, check=False, cwd=self.get_temp_dir(),
        env=dict(os.environ, PYTHONPATH=''))
    self.assertEqual(load.returncode, 0, load.stdout[-3000:])
    served = json.loads(load.stdout.split('RESULT ', 1)[1])
    self.assertFalse(served['longformer_imported'])

    for name, (ids, mask) in batches.items():
      want = model(dict(input_word_ids=ids, input_mask=mask,
                        input_type_ids=np.zeros_like(ids)), training=False)
      self.assertEqual(np.array(served[name]).shape, (len(ids), _NUM_CLASSES))
      self.assertAllClose(served[name], want, atol=_ATOL, rtol=0, msg=name)
      if name == 'three_examples':
        self.assertAllClose(served['examples'], want, atol=_ATOL, rtol=0)
    # Negative control: the padded row's logits depend on which ids are real.
    ids, mask = batches['three_40']
    unmasked = model(dict(input_word_ids=ids, input_mask=np.ones_like(mask),
                          input_type_ids=np.zeros_like(ids)), training=False)
    self.assertGreater(np.abs(np.array(served['three_40'])[-1] -
                              unmasked[-1]).max(), 100 * _ATOL)

  def test_existing_output_is_refused_unless_overwrite_replaces_it(self):
    """In process (the entry-point subprocess is the test above)."""
    model_dir, _ = self._model_dir()
    output_dir = os.path.join(self.get_temp_dir(), 'taken')
    os.makedirs(output_dir)
    with open(os.path.join(output_dir, 'stale.txt'), 'w') as f:
      f.write('an earlier export')
    flags_ = [f'--model_dir={model_dir}', f'--output_dir={output_dir}',
              f'--seq_length={_EXAMPLE_LENGTH}']
    result = cli_in_process.run('utils/export_saved_model.py', flags_)
    self.assertNotEqual(result.returncode, 0)
    self.assertIn('FAILED: Output already exists', result.stderr)
    self.assertIn('--overwrite', result.stderr)
    self.assertEqual(os.listdir(output_dir), ['stale.txt'])
    result = cli_in_process.run('utils/export_saved_model.py',
                                flags_ + ['--overwrite'])
    self.assertEqual(result.returncode, 0, result.stderr[-3000:])
    # The whole set is replaced: the stale file is gone.
    self.assertNotIn('stale.txt', os.listdir(output_dir))
    self.assertIn('saved_model.pb', os.listdir(output_dir))
    self.assertEqual([n for n in os.listdir(self.get_temp_dir())
                      if n.startswith('.')], [])

  def test_zero_seq_length_is_refused_not_defaulted(self):
    model_dir, _ = self._model_dir()
    output_dir = os.path.join(self.get_temp_dir(), 'zero')
    result = cli_in_process.run('utils/export_saved_model.py', [
        f'--model_dir={model_dir}', f'--output_dir={output_dir}',
        '--seq_length=0'])
    self.assertEqual(result.returncode, 1, result.stdout)
    self.assertIn('--seq_length=0 must be a positive integer', result.stderr)
    self.assertFalse(os.path.exists(output_dir))

  def test_inputs_only_mode_is_refused(self):
    """It would derive the mask from id 0, RoBERTa's <s>."""
    module = sentence_prediction_module.LongformerSentencePrediction
    with self.assertRaisesRegex(ValueError, "RoBERTa's <s>"):
      module(module.Params(inputs_only=True), model=None)


if __name__ == '__main__':
  tf.test.main()
