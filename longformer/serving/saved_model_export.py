"""Exports a `longformer/glue` classifier as a serving SavedModel.

Model Garden's `SentencePrediction` export module does the work
(`official/nlp/serving/serving_modules.py`, saved through
`export_savedmodel_util.export`); `LongformerSentencePrediction` changes only
what must differ for RoBERTa vocabularies:
- `serving_default` takes int32 `input_word_ids` and `input_mask`
  [batch, length] (1 = token, 0 = padding; 2 = global token for
  `global_tokens: marked`). Model Garden's `inputs_only` mode derives the
  mask from id 0, which is RoBERTa's `<s>` (padding is id 1), so it is
  refused. Type ids are zeros (Longformer has one token type).
- `serve_examples` parses serialized `tf.train.Example`s with the features
  the tokenizer tool writes (`input_ids`, `input_mask`, `segment_ids`,
  `seq_length` long), Model Garden's own parser.
Both return `{'outputs': float32 [batch, num_classes] logits}`.

`export` writes to a temporary directory beside the output, reloads it,
checks its outputs against the Keras model and only then renames it into
place.
"""
import os
import shutil
from typing import Dict
from typing import Text

import numpy as np
import tensorflow as tf

from official.core import config_definitions as cfg
from official.core import task_factory
from official.nlp.serving import export_savedmodel_util
from official.nlp.serving import serving_modules

# Signature key -> export module function.
SIGNATURES = {'serve': 'serving_default', 'serve_examples': 'serve_examples'}
# The reloaded SavedModel runs the same float32 graph as the Keras model;
# only op scheduling may differ.
VERIFY_ATOL = 1e-5
_PAD_ID = 1  # RoBERTa's <pad>


class LongformerSentencePrediction(serving_modules.SentencePrediction):
  """Model Garden's sentence-prediction export with an explicit input_mask."""

  def __init__(self, params, model, inference_step=None):
    if params.inputs_only:
      raise ValueError(
          'inputs_only=True derives input_mask from token id 0, which is '
          "RoBERTa's <s> (its pad id is 1): serve with an explicit "
          'input_mask (inputs_only=False).')
    super().__init__(params, model, inference_step)

  def get_inference_signatures(self, function_keys: Dict[Text, Text]):
    """`serve` takes input_word_ids and input_mask; the rest as the base."""
    signatures = super().get_inference_signatures(
        {k: v for k, v in function_keys.items() if k != 'serve'})
    if 'serve' in function_keys:
      spec = lambda name: tf.TensorSpec([None, None], tf.int32, name=name)
      signatures[function_keys['serve']] = self.serve.get_concrete_function(
          input_word_ids=spec('input_word_ids'),
          input_mask=spec('input_mask'))
    return signatures


def build_export_module(params: cfg.ExperimentConfig,
                        seq_length: int) -> LongformerSentencePrediction:
  """The export module around a freshly built `params.task` model.

  Args:
    params: a `longformer/glue` experiment config (e.g. a run's params.yaml).
    seq_length: the length of the `input_ids` feature `serve_examples` parses.
  """
  model = task_factory.get_task(params.task).build_model()
  serving_params = LongformerSentencePrediction.Params(
      inputs_only=False, use_v2_feature_names=False,
      parse_sequence_length=seq_length)
  return LongformerSentencePrediction(params=serving_params, model=model)


def _random_batch(vocab_size: int, batch: int, length: int) -> Dict:
  """int32 ids in [3, vocab) with <s> first; the last row half padding."""
  rng = np.random.default_rng(0)
  ids = rng.integers(3, vocab_size, size=(batch, length)).astype(np.int32)
  ids[:, 0] = 0
  mask = np.ones_like(ids)
  mask[-1, max(1, length // 2):] = 0
  ids[mask == 0] = _PAD_ID
  return dict(input_word_ids=tf.constant(ids), input_mask=tf.constant(mask))


def verify(export_dir: str, module: LongformerSentencePrediction,
           vocab_size: int, seq_length: int) -> float:
  """Max abs difference between the reloaded serving_default and Keras.

  Raises:
    ValueError: above `VERIFY_ATOL`.
  """
  serving = tf.saved_model.load(export_dir).signatures['serving_default']
  inputs = _random_batch(vocab_size, 3, seq_length)
  want = module.model(dict(inputs, input_type_ids=tf.zeros_like(
      inputs['input_word_ids'])), training=False)
  got = serving(**inputs)['outputs']
  diff = float(np.abs(got.numpy() - want.numpy()).max())
  if not diff <= VERIFY_ATOL:
    raise ValueError(f'The exported model differs from the Keras model by '
                     f'{diff} (tolerance {VERIFY_ATOL}); nothing written.')
  return diff


def export(params: cfg.ExperimentConfig, checkpoint_path: str,
           output_dir: str, seq_length: int) -> float:
  """Restores `checkpoint_path`, exports, verifies, moves to `output_dir`.

  Args:
    params: the run's experiment config (`longformer/glue`).
    checkpoint_path: a train.py checkpoint prefix or its model_dir.
    output_dir: where the SavedModel appears; must not exist yet.
    seq_length: the example length `serve_examples` parses.

  Returns:
    The verified max abs difference from the Keras model.

  Raises:
    FileExistsError: output_dir exists.
    ValueError: the checkpoint does not fit, or verification failed.
  """
  if tf.io.gfile.exists(output_dir):
    raise FileExistsError(f'{output_dir} exists; choose a new output path '
                          'or remove it.')
  module = build_export_module(params, seq_length)
  parent = os.path.dirname(os.path.abspath(output_dir))
  tf.io.gfile.makedirs(parent)
  tmp_dir = os.path.join(parent, f'.{os.path.basename(output_dir)}.tmp')
  if tf.io.gfile.exists(tmp_dir):
    tf.io.gfile.rmtree(tmp_dir)
  try:
    export_savedmodel_util.export(
        module, function_keys=dict(SIGNATURES),
        export_savedmodel_dir=tmp_dir, checkpoint_path=checkpoint_path,
        timestamped=False)
    diff = verify(tmp_dir, module,
                  params.task.model.encoder.get().vocab_size, seq_length)
    tf.io.gfile.rename(tmp_dir, output_dir)
  finally:
    if tf.io.gfile.exists(tmp_dir):
      shutil.rmtree(tmp_dir, ignore_errors=True)
  return diff
