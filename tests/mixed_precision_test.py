"""Mixed precision: bfloat16 and float16 training, and bf16 encoder numerics.

`runtime.mixed_precision_dtype` takes `bfloat16` or `float16`; train.py then
sets the `mixed_bfloat16` / `mixed_float16` Keras policy and Model Garden
wraps the optimizer in a dynamic `LossScaleOptimizer` for float16.
"""
import numpy as np
import tensorflow as tf
import tf_keras

from absl.testing import parameterized
from official.core import exp_factory
from official.core import task_factory
from official.modeling import performance
from official.nlp.configs import encoders
import longformer
import tiny_experiment

# bfloat16 keeps 8 significand bits, so each rounding is off by up to 2**-9
# relative (0.2%). Outputs are LayerNorm-ed (unit scale) after 2 layers of
# about ten rounded matmuls, softmaxes and residual sums each. Measured on this
# tiny encoder (seeded inputs, x86 CPU): max abs diff from float32 0.024 for
# sequence_output and each layer, 0.0012 for pooled_output. 0.06 is 2.5x the
# measurement, room for another CPU's rounding order; a wrong cast or a dropped
# mask moves outputs by O(1).
BF16_ENCODER_ATOL = 0.06
# float16 keeps 11 significand bits (rounding 2**-12 relative, 8x finer than
# bfloat16). Measured on the same encoder and inputs: max abs diff from
# float32 0.0033 (sequence_output and each layer); 0.01 is ~3x that, still 6x
# tighter than the bfloat16 bar, so a computation left in bfloat16 or a
# wrong cast fails it.
FP16_ENCODER_ATOL = 0.01
_ATOL = {'mixed_bfloat16': BF16_ENCODER_ATOL,
         'mixed_float16': FP16_ENCODER_ATOL}
_TRAIN_STEPS = 3


def _tiny_encoder_config():
  return encoders.EncoderConfig(
      type='any',
      any=longformer.LongformerEncoderConfig(**tiny_experiment.ENCODER))


def _inputs(seed=0):
  """A batch of 3 with ragged padding, token ids in the tiny vocabulary."""
  rng = np.random.default_rng(seed)
  length = tiny_experiment.SEQ_LENGTH
  ids = rng.integers(5, tiny_experiment.ENCODER['vocab_size'], size=(3, length))
  mask = (np.arange(length)[None, :] < np.array([[length], [50], [23]]))
  ids = np.where(mask, ids, 1)
  return dict(input_word_ids=tf.constant(ids, tf.int32),
              input_mask=tf.constant(mask, tf.int32),
              input_type_ids=tf.zeros([3, length], tf.int32))


class MixedPrecisionTest(tf.test.TestCase, parameterized.TestCase):

  def tearDown(self):
    tf_keras.mixed_precision.set_global_policy('float32')
    super().tearDown()

  @parameterized.parameters('bfloat16', 'float16')
  def test_trains_without_nan(self, dtype):
    paths = tiny_experiment.write_records(self.get_temp_dir())
    params = exp_factory.get_exp_config('longformer/glue')
    params.override(tiny_experiment.glue_overrides(*paths), is_strict=True)
    params.runtime.mixed_precision_dtype = dtype
    performance.set_mixed_precision_policy(dtype)
    task = task_factory.get_task(params.task)
    model = task.build_model()
    optimizer = task.create_optimizer(params.trainer.optimizer_config,
                                      params.runtime)
    self.assertEqual(
        isinstance(optimizer, tf_keras.mixed_precision.LossScaleOptimizer),
        dtype == 'float16')
    dataset = iter(task.build_inputs(params.task.train_data))
    for step in range(_TRAIN_STEPS):
      logs = task.train_step(next(dataset), model, optimizer,
                             metrics=task.build_metrics(training=True))
      self.assertTrue(np.isfinite(logs[task.loss].numpy()),
                      f'{dtype} step {step}: loss {logs[task.loss]}')
    for variable in model.trainable_variables:
      self.assertTrue(np.all(np.isfinite(variable.numpy())), variable.name)
    # The classifier's logits come out in the compute dtype of the policy.
    self.assertEqual(model(_inputs()).dtype, tf.as_dtype(dtype))

  @parameterized.parameters('mixed_bfloat16', 'mixed_float16')
  def test_encoder_matches_fp32_within_tolerance(self, policy):
    inputs = _inputs()
    fp32 = encoders.build_encoder(_tiny_encoder_config())
    want = fp32(inputs, training=False)
    tf_keras.mixed_precision.set_global_policy(policy)
    bf16 = encoders.build_encoder(_tiny_encoder_config())
    bf16(inputs, training=False)  # creates the (float32) variables
    bf16.set_weights(fp32.get_weights())
    got = bf16(inputs, training=False)
    real = inputs['input_mask'].numpy().astype(bool)
    pairs = [('sequence_output', want['sequence_output'][real],
              got['sequence_output'][real]),
             ('pooled_output', want['pooled_output'], got['pooled_output'])]
    for layer, (w, g) in enumerate(zip(want['encoder_outputs'],
                                       got['encoder_outputs'])):
      pairs.append((f'encoder_outputs[{layer}]', w[real], g[real]))
    diffs = {}
    for name, w, g in pairs:
      diff = np.abs(w.numpy() - tf.cast(g, tf.float32).numpy())
      diffs[name] = diff.max()
      print(f'{policy} {name}: max abs diff from float32 {diff.max():.4g}')
      self.assertLessEqual(
          diff.max(), _ATOL[policy],
          f'{name}: max abs diff {diff.max():.4f} at '
          f'{np.unravel_index(diff.argmax(), diff.shape)}')

    # Identical outputs would mean the policy was ignored: nothing ran in bf16.
    self.assertGreater(diffs['sequence_output'], 0.0)


if __name__ == '__main__':
  tf.test.main()
