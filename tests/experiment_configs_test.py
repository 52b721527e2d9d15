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

"""Tests for the `longformer/glue` and `longformer/pretraining` experiments.

Covers the registered defaults, each YAML in experiments/ built at full size
(no training), one train step of each task, and `task.init_checkpoint`
restoring a checkpoint written the way the converter writes it.
"""
import os
import tempfile

from absl.testing import parameterized
import numpy as np
import tensorflow as tf

from official.core import exp_factory
from official.core import task_factory
from official.modeling import hyperparams
from official.nlp.configs import encoders
from official.nlp.tasks import masked_lm
import longformer  # pylint: disable=unused-import
import tiny_experiment

_EXPERIMENTS_DIR = os.path.join(tiny_experiment.REPO_DIR, 'experiments')

# transformers' `LongformerModel(config).num_parameters()` for
# longformer-base-4096's config (vocab 50265, 4098 positions, 1 token type,
# 12 layers of 768 / 12 heads / 3072), pooler included: embeddings
# 38,603,520 + 3,147,264 + 768 + 1,536, 12 layers of 8,859,648 (six Q/K/V
# projections, output, LayerNorms, feed-forward), pooler 590,592.
_LONGFORMER_BASE_4096_PARAMS = 148_659_456
# A BertClassifier head on the 768-wide <s> state: a 768 x 768 pooler plus a
# 768 x num_classes output layer, with biases.
_HEAD_PARAMS_768 = 768 * 768 + 768


def _load(experiment, yaml_name):
  """Returns the experiment config with `experiments/yaml_name` applied."""
  params = exp_factory.get_exp_config(experiment)
  return hyperparams.override_params_dict(
      params, os.path.join(_EXPERIMENTS_DIR, yaml_name), is_strict=True)


def _count_params(model):
  return int(sum(np.prod(v.shape) for v in model.trainable_variables))


class RegisteredDefaultsTest(tf.test.TestCase, parameterized.TestCase):

  @parameterized.parameters('longformer/glue', 'longformer/pretraining')
  def test_optimizer_is_adamw_excluding_norms_and_biases(self, experiment):
    opt = exp_factory.get_exp_config(experiment).trainer.optimizer_config
    self.assertEqual(opt.optimizer.type, 'adamw')
    self.assertEqual(opt.optimizer.adamw.weight_decay_rate, 0.01)
    self.assertEqual(opt.optimizer.adamw.exclude_from_weight_decay,
                     ['LayerNorm', 'layer_norm', 'bias'])
    # allenai/longformer scripts/classification.py: HF AdamW's default betas
    # (0.9, 0.999); epsilon 1e-6 is RoBERTa's (Liu et al. 2019, Table 10).
    self.assertEqual((opt.optimizer.adamw.beta_1, opt.optimizer.adamw.beta_2,
                      opt.optimizer.adamw.epsilon), (0.9, 0.999, 1e-6))
    self.assertEqual(opt.learning_rate.type, 'polynomial')
    self.assertEqual(opt.learning_rate.polynomial.end_learning_rate, 0.0)
    self.assertEqual(opt.warmup.type, 'polynomial')

  @parameterized.parameters('longformer/glue', 'longformer/pretraining')
  def test_encoder_is_longformer(self, experiment):
    model = exp_factory.get_exp_config(experiment).task.model
    self.assertEqual(model.encoder.type, 'any')
    self.assertIsInstance(model.encoder.get(),
                          longformer.LongformerEncoderConfig)

  @parameterized.parameters('train_data', 'validation_data')
  def test_is_training_must_be_set(self, data_field):
    params = exp_factory.get_exp_config('longformer/glue')
    getattr(params.task, data_field).is_training = None
    with self.assertRaisesRegex(KeyError, 'is_training'):
      params.validate()

  def test_pretraining_has_no_next_sentence_head(self):
    params = exp_factory.get_exp_config('longformer/pretraining')
    self.assertEqual(params.task.model.cls_heads, [])
    self.assertFalse(params.task.train_data.use_next_sentence_label)


class YamlTest(tf.test.TestCase, parameterized.TestCase):
  """Builds the full-size model of every YAML so a broken one cannot land."""

  def _build(self, params):
    """Builds the task's model and runs it once on a full-length sequence."""
    params.validate()
    task = task_factory.get_task(params.task)
    model = task.build_model()
    # One sequence of the configured length must fit the position table.
    ids = tf.fill([1, params.task.train_data.seq_length], 5)
    inputs = dict(input_word_ids=ids, input_mask=tf.ones_like(ids),
                  input_type_ids=tf.zeros_like(ids))
    if isinstance(params.task, masked_lm.MaskedLMConfig):
      inputs['masked_lm_positions'] = tf.zeros(
          [1, params.task.train_data.max_predictions_per_seq], tf.int32)
    return model, model.checkpoint_items['encoder'], model(inputs)

  def test_glue_mnli_allenai_is_longformer_base_4096(self):
    params = _load('longformer/glue', 'glue_mnli_allenai.yaml')
    enc = params.task.model.encoder.any
    self.assertEqual((enc.vocab_size, enc.max_position_embeddings,
                      enc.num_layers, enc.hidden_size),
                     (50265, 4098, 12, 768))
    self.assertEqual(list(enc.attention_window), [128])
    self.assertEqual(enc.global_attention_size, 1)
    self.assertEqual(params.task.model.num_classes, 3)
    self.assertEqual(params.task.train_data.seq_length, 512)
    self.assertEqual(params.task.train_data.global_batch_size, 32)
    self.assertEqual(params.trainer.train_steps, 392_702 * 5 // 32)
    opt = params.trainer.optimizer_config
    self.assertEqual(opt.learning_rate.polynomial.initial_learning_rate, 3e-5)
    self.assertEqual(opt.learning_rate.polynomial.decay_steps, 61359)
    self.assertEqual(opt.warmup.polynomial.warmup_steps, 6136)
    model, encoder, logits = self._build(params)
    self.assertEqual(logits.shape, [1, 3])
    self.assertEqual(_count_params(encoder), _LONGFORMER_BASE_4096_PARAMS)
    self.assertEqual(_count_params(model), _LONGFORMER_BASE_4096_PARAMS +
                     _HEAD_PARAMS_768 + 768 * 3 + 3)

  def test_glue_mnli_from_scratch_is_base_sized_with_short_positions(self):
    params = _load('longformer/glue', 'glue_mnli_from_scratch.yaml')
    self.assertEqual(params.task.init_checkpoint, '')
    model, encoder, logits = self._build(params)
    self.assertEqual(logits.shape, [1, 3])
    # 4,098 - 514 = 3,584 fewer position rows of 768.
    self.assertEqual(_count_params(encoder),
                     _LONGFORMER_BASE_4096_PARAMS - 3584 * 768)
    self.assertEqual(_count_params(model), _count_params(encoder) +
                     _HEAD_PARAMS_768 + 768 * 3 + 3)

  def test_pretraining_512_builds_a_masked_lm(self):
    params = _load('longformer/pretraining', 'pretraining_512.yaml')
    self.assertEqual(params.task.train_data.max_predictions_per_seq,
                     round(512 * 0.15))
    model, encoder, outputs = self._build(params)
    self.assertEqual(outputs['mlm_logits'].shape, [1, 77, 50265])
    self.assertEqual(_count_params(encoder), _LONGFORMER_BASE_4096_PARAMS)
    # The masked-LM head: a 768 x 768 transform, its LayerNorm, and an
    # output bias per vocabulary entry (the embedding table is shared).
    self.assertEqual(_count_params(model), _LONGFORMER_BASE_4096_PARAMS +
                     768 * 768 + 768 + 2 * 768 + 50265)

  def test_demo_long_range_builds(self):
    params = _load('longformer/glue', 'demo_long_range.yaml')
    _, encoder, logits = self._build(params)
    self.assertEqual(logits.shape, [1, 2])
    self.assertEqual(encoder.get_config()['global_attention_size'], 1)


class TrainStepTest(tf.test.TestCase, parameterized.TestCase):

  def _tiny_encoder(self, params):
    params.task.model.encoder = encoders.EncoderConfig(
        type='any', any=longformer.LongformerEncoderConfig(
            **tiny_experiment.ENCODER))

  @staticmethod
  def _ragged_mask(mask):
    """[B, T] mask with T/2 real tokens in even rows, all T in odd rows."""
    batch_size, length = tf.shape(mask)[0], tf.shape(mask)[1]
    lengths = length // 2 + tf.range(batch_size) % 2 * (length - length // 2)
    return tf.sequence_mask(lengths, length, dtype=mask.dtype)

  def _one_step(self, params, ragged_mask=False):
    task = task_factory.get_task(params.task)
    model = task.build_model()
    optimizer = task.create_optimizer(params.trainer.optimizer_config,
                                      params.runtime)
    batch = next(iter(task.build_inputs(params.task.train_data)))
    # MG's dummy pretraining batch carries next-sentence labels, which would
    # ask for the next-sentence head that Longformer pretraining drops.
    batch.pop('next_sentence_labels', None)
    if ragged_mask:  # MG's dummy mask is all zeros: every token padding.
      batch['input_mask'] = self._ragged_mask(batch['input_mask'])
    logs = task.train_step(batch, model, optimizer,
                           metrics=task.build_metrics(training=True))
    return logs[task.loss]

  @parameterized.parameters('longformer/glue', 'longformer/pretraining')
  def test_train_step_on_dummy_data(self, experiment):
    """Model Garden's `dummy` data (all-zero ids), with a ragged mask."""
    params = exp_factory.get_exp_config(experiment)
    self._tiny_encoder(params)
    params.task.train_data.input_path = 'dummy'
    params.task.train_data.seq_length = tiny_experiment.SEQ_LENGTH
    if experiment == 'longformer/glue':
      params.task.model.num_classes = 2
    else:
      params.task.train_data.max_predictions_per_seq = 4
    loss = self._one_step(params, ragged_mask=True)
    self.assertTrue(np.isfinite(loss.numpy()), f'loss = {loss}')

  def test_train_step_on_ragged_records(self):
    with tempfile.TemporaryDirectory() as tmp:
      paths = tiny_experiment.write_records(tmp)
      params = exp_factory.get_exp_config('longformer/glue')
      params.override(tiny_experiment.glue_overrides(*paths), is_strict=True)
      loss = self._one_step(params)
    # A fresh 2-class classifier starts near chance: -log(1/2) = 0.693.
    self.assertAllClose(loss, np.log(2.0), atol=0.2, rtol=0)


class InitCheckpointTest(tf.test.TestCase):
  """`task.init_checkpoint` from the converter: Checkpoint(encoder=encoder)."""

  def _params(self, ckpt_path, num_layers=2):
    params = exp_factory.get_exp_config('longformer/glue')
    params.task.model.num_classes = 3
    params.task.model.encoder = encoders.EncoderConfig(
        type='any', any=longformer.LongformerEncoderConfig(
            **dict(tiny_experiment.ENCODER, num_layers=num_layers)))
    params.task.init_checkpoint = ckpt_path
    return params

  def _write_converter_checkpoint(self, params):
    """Saves a built encoder as the converter does; returns it and the prefix.

    Every variable is first set to random values, so none of them equals its
    freshly initialized counterpart (zeros, ones) by chance.
    """
    encoder = encoders.build_encoder(params.task.model.encoder)
    ids = tf.fill([1, tiny_experiment.SEQ_LENGTH], 5)
    encoder(dict(input_word_ids=ids, input_mask=tf.ones_like(ids),
                 input_type_ids=tf.zeros_like(ids)))  # creates the variables
    rng = np.random.default_rng(0)
    for variable in encoder.weights:
      variable.assign(rng.normal(size=variable.shape).astype(np.float32))
    prefix = os.path.join(self.get_temp_dir(), 'longformer')
    tf.train.Checkpoint(encoder=encoder).write(prefix)
    return encoder, prefix

  def test_every_encoder_variable_is_restored(self):
    params = self._params('')
    saved, prefix = self._write_converter_checkpoint(params)
    params.task.init_checkpoint = prefix
    task = task_factory.get_task(params.task)
    model = task.build_model()
    restored = model.checkpoint_items['encoder']
    self.assertLen(restored.weights, len(saved.weights))
    task.initialize(model)
    for variable, want in zip(restored.weights, saved.weights):
      self.assertAllEqual(variable.numpy(), want.numpy(), msg=variable.name)

  def test_checkpoint_missing_a_layer_is_an_error(self):
    """`assert_existing_objects_matched` rejects a half-restored encoder."""
    small = self._params('', num_layers=1)
    _, prefix = self._write_converter_checkpoint(small)
    task = task_factory.get_task(self._params(prefix, num_layers=2).task)
    model = task.build_model()
    with self.assertRaisesRegex(AssertionError, 'not bound to checkpointed'):
      task.initialize(model)


if __name__ == '__main__':
  tf.test.main()
