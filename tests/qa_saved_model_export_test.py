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

"""utils/export_saved_model.py on a `longformer/squad` model_dir.

The CLI exports a tiny span labeler (window 16, marked global tokens) with
`serve_examples` parsing 22-token records: a static length that is not a
multiple of the window (nor of window / 4) and below 1.5 x window. A fresh
Python process that never imports `longformer` calls every signature at 22
and at 13 tokens (`serving_default` also at 40), and each output must equal
the Keras model's.
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
import longformer  # pylint: disable=unused-import
from longformer.serving import saved_model_export
import cli_in_process
import tiny_experiment

_EXPORT_PY = os.path.join(tiny_experiment.REPO_DIR, 'utils',
                          'export_saved_model.py')
_WINDOW = 16
_EXAMPLE_LENGTH = 22  # <= 1.5 x 16, not a multiple of 16 / 4
_GLOBAL = 4
_ENCODER = dict(tiny_experiment.ENCODER, attention_window=[_WINDOW],
                global_tokens='marked', global_attention_size=_GLOBAL,
                max_position_embeddings=66)
# Same float32 graph, reloaded; only op scheduling may differ.
_ATOL = 1e-5

# Runs in a fresh interpreter: only TensorFlow, never `longformer`.
_LOAD_SCRIPT = '''
import json, sys
import numpy as np
import tensorflow as tf
loaded = tf.saved_model.load(sys.argv[1])
batches = json.loads(sys.argv[2])
def run(name, **kwargs):
  out = loaded.signatures[name](**{k: tf.constant(v) for k, v in
                                   kwargs.items()})
  return {k: v.numpy().tolist() for k, v in out.items()}
out = {'signatures': sorted(loaded.signatures)}
for key, b in batches.items():
  ids, mask = np.array(b['ids'], np.int32), np.array(b['mask'], np.int32)
  out[key] = {'serving_default': run('serving_default', input_word_ids=ids,
                                     input_mask=mask)}
  if not b['examples']:
    continue
  out[key]['serve_global_attention_mask'] = run(
      'serve_global_attention_mask', input_word_ids=ids,
      input_mask=np.minimum(mask, 1),
      global_attention_mask=(mask == 2).astype(np.int32))
  out[key]['serve_examples'] = run('serve_examples', examples=[
      bytes.fromhex(h) for h in b['examples']])
out['longformer_imported'] = any(
    m.startswith('longformer') for m in sys.modules)
print('RESULT ' + json.dumps(out))
'''


def squad_model_dir(directory, seed=1, **encoder):
  """A `longformer/squad` model_dir with random non-initial weights.

  Args:
    directory: where the model_dir is made.
    seed: of the weights.
    **encoder: overrides of `_ENCODER`.

  Returns:
    (model_dir, the Keras span labeler holding the checkpoint's weights).
  """
  params = exp_factory.get_exp_config('longformer/squad')
  params.override({'task': {
      'model': {'encoder': {'type': 'any', 'any': dict(_ENCODER, **encoder)}},
      'train_data': {'seq_length': 32}}}, is_strict=True)
  model_dir = os.path.join(directory, 'model')
  train_utils.serialize_config(params, model_dir)
  model = task_factory.get_task(params.task).build_model()
  rng = np.random.default_rng(seed)
  for variable in model.variables:
    variable.assign(rng.normal(0, 0.2, variable.shape).astype(np.float32))
  tf.train.Checkpoint(model=model, **model.checkpoint_items).save(
      os.path.join(model_dir, 'ckpt'))
  return model_dir, model


def _batch(rng, length):
  """3 rows: <s> + a 3-token question marked 2, ragged padding."""
  ids = rng.integers(3, _ENCODER['vocab_size'], size=(3, length))
  ids[:, 0] = 0
  mask = np.ones_like(ids)
  mask[:, :_GLOBAL] = 2
  mask[1, length - 3:] = 0
  mask[2, length // 2:] = 0
  ids[mask == 0] = 1
  return ids.astype(np.int32), mask.astype(np.int32)


class QaExportTest(tf.test.TestCase):

  def test_every_signature_equals_keras_in_a_fresh_process(self):
    model_dir, model = squad_model_dir(self.get_temp_dir())
    output_dir = os.path.join(self.get_temp_dir(), 'serving', '1')
    result = subprocess.run(
        [sys.executable, _EXPORT_PY, f'--model_dir={model_dir}',
         f'--output_dir={output_dir}', f'--seq_length={_EXAMPLE_LENGTH}'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300, check=False)
    self.assertEqual(result.returncode, 0, result.stdout[-3000:])
    self.assertIn(
        f'OK: SavedModel at {output_dir} (signatures serve_examples, '
        'serve_global_attention_mask, serving_default, each called',
        result.stdout)
    with open(os.path.join(output_dir,
                           saved_model_export.INFERENCE_CONFIG)) as f:
      config = json.load(f)
    self.assertEqual((config['kind'], config['seq_length'],
                      config['global_attention_size']),
                     ('question_answering', _EXAMPLE_LENGTH, _GLOBAL))

    rng = np.random.default_rng(2)
    batches = {n: _batch(rng, n) for n in (_EXAMPLE_LENGTH, 13, 40)}
    payload = {}
    for n, (ids, mask) in batches.items():
      examples = []
      if n == _EXAMPLE_LENGTH:
        examples = [e.hex() for e in saved_model_export.serialized_examples(
            dict(input_word_ids=ids, input_mask=mask)).numpy()]
      payload[n] = {'ids': ids.tolist(), 'mask': mask.tolist(),
                    'examples': examples}
    load = subprocess.run(
        [sys.executable, '-c', _LOAD_SCRIPT, output_dir, json.dumps(payload)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300, check=False, cwd=self.get_temp_dir(),
        env=dict(os.environ, PYTHONPATH=''))
    self.assertEqual(load.returncode, 0, load.stdout[-3000:])
    served = json.loads(load.stdout.split('RESULT ', 1)[1])
    self.assertFalse(served['longformer_imported'])
    self.assertEqual(served['signatures'], [
        'serve_examples', 'serve_global_attention_mask', 'serving_default'])
    for n, (ids, mask) in batches.items():
      start, end = model(dict(input_word_ids=ids, input_mask=mask,
                              input_type_ids=np.zeros_like(ids)),
                         training=False)
      for name, got in served[str(n)].items():
        msg = f'{name} at length {n}'
        self.assertEqual(np.array(got['start_logits']).shape, (3, n), msg)
        self.assertAllClose(got['start_logits'], start, atol=_ATOL, rtol=0,
                            msg=msg)
        self.assertAllClose(got['end_logits'], end, atol=_ATOL, rtol=0,
                            msg=msg)
    # Negative control: the marks matter (global vs local question tokens).
    ids, mask = batches[_EXAMPLE_LENGTH]
    unmarked, _ = model(dict(input_word_ids=ids, input_mask=np.minimum(mask, 1),
                             input_type_ids=np.zeros_like(ids)),
                        training=False)
    self.assertGreater(np.abs(np.array(served[str(_EXAMPLE_LENGTH)][
        'serving_default']['start_logits']) - unmarked).max(), 100 * _ATOL)

  def test_first_global_tokens_model_gets_no_hf_mask_signature(self):
    """Its first G tokens are global whatever a global_attention_mask says:
    that signature would ignore the mask (or refuse its 2s), so it is left
    out, and the tool says so."""
    model_dir, model = squad_model_dir(self.get_temp_dir(),
                                       global_tokens='first')
    output_dir = os.path.join(self.get_temp_dir(), 'first', '1')
    result = cli_in_process.run('utils/export_saved_model.py', [
        f'--model_dir={model_dir}', f'--output_dir={output_dir}',
        f'--seq_length={_EXAMPLE_LENGTH}'])
    self.assertEqual(result.returncode, 0, result.stderr[-3000:])
    self.assertIn('Not exported: serve_global_attention_mask: the encoder '
                  f'has global_tokens: first (its first {_GLOBAL} real tokens '
                  'are global by position', result.stdout)
    self.assertIn('(signatures serve_examples, serving_default, each called',
                  result.stdout)
    loaded = tf.saved_model.load(output_dir)
    self.assertEqual(sorted(loaded.signatures),
                     ['serve_examples', 'serving_default'])
    ids, mask = _batch(np.random.default_rng(3), _EXAMPLE_LENGTH)
    mask = np.minimum(mask, 1)
    got = loaded.signatures['serving_default'](
        input_word_ids=tf.constant(ids), input_mask=tf.constant(mask))
    start, _ = model(dict(input_word_ids=ids, input_mask=mask,
                          input_type_ids=np.zeros_like(ids)), training=False)
    self.assertAllClose(got['start_logits'], start, atol=_ATOL, rtol=0)

  def test_experiment_flag_refuses_a_params_yaml_of_another_task(self):
    model_dir, _ = squad_model_dir(self.get_temp_dir())
    result = subprocess.run(
        [sys.executable, _EXPORT_PY, f'--model_dir={model_dir}',
         '--experiment=longformer/glue',
         f'--output_dir={os.path.join(self.get_temp_dir(), "out")}'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300, check=False)
    self.assertNotEqual(result.returncode, 0)
    self.assertIn('does not fit --experiment=longformer/glue', result.stdout)
    self.assertFalse(os.path.exists(os.path.join(self.get_temp_dir(), 'out')))


if __name__ == '__main__':
  tf.test.main()
