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

"""utils/export_to_hf.py: ours -> HF, the converter's table in reverse."""
import json
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf
import torch
import transformers
import yaml

from official.nlp.modeling import models

import hf_reference
import masked_lm_conversion_test
import cli_in_process
import tiny_experiment
from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib
from longformer.conversion import hf_config
from longformer.conversion import task_heads
from task_heads_test import _qa_batch
from task_heads_test import _scaled

REPO = tiny_experiment.REPO_DIR
EXPORTER = os.path.join(REPO, 'utils', 'export_to_hf.py')


def _run(args):
  result = subprocess.run(
      [sys.executable, *args], capture_output=True, text=True, cwd=REPO,
      timeout=600, check=False, env=dict(os.environ, CUDA_VISIBLE_DEVICES=''))
  assert result.returncode == 0, (result.stdout[-2000:] +
                                  result.stderr[-4000:])
  return result


def _weights(model):
  return {k: v.detach().numpy() for k, v in model.state_dict().items()}


def test_bare_encoder_weights_round_trip_exactly():
  model = hf_reference.hf_model(hf_reference.tiny_hf_config())
  encoder = hf_reference.converted_encoder(model, 2)
  exported = checkpoint_conversion.hf_weights_from_model(encoder)
  original = {k: v for k, v in _weights(model).items()
              if not k.endswith(checkpoint_conversion.BUFFERS_NOT_WEIGHTS)}
  assert sorted(exported) == sorted(original)
  for key, value in original.items():
    np.testing.assert_array_equal(exported[key], value, err_msg=key)


def _write_converted(model, head, prefix, global_size,
                     global_tokens='first'):
  """Writes `model` converted, checkpoint and YAML as the converter does
  (the YAML with `global_tokens`; the returned model's encoder is 'first').

  In process, to keep the test fast; the converter CLI itself is tested in
  converter_test.py and task_heads_test.py.
  """
  encoder_config = checkpoint_conversion.encoder_config_from_hf(
      model.config.to_dict(), global_attention_size=global_size)
  encoder = config_lib.build_longformer_encoder(encoder_config)
  task_model = task_heads.build_task_model(encoder, head)
  checkpoint_conversion.load_hf_weights(
      encoder, _weights(model), task_heads.head_weight_table(task_model, head))
  tf.train.Checkpoint(encoder=encoder, model=task_model).write(prefix)
  encoder_config.global_tokens = global_tokens
  with open(os.path.join(os.path.dirname(prefix), 'encoder_config.yaml'),
            'w') as f:
    yaml.safe_dump(hf_config.encoder_yaml_dict(encoder_config, prefix), f)
  return task_model


def test_qa_model_round_trips_with_identical_weights(tmp_path):
  """From a YAML with `global_tokens: marked` (HF has no such field; the
  exporter's self-check marks HF's QA global tokens with input_mask 2)."""
  model = _scaled(transformers.LongformerForQuestionAnswering(
      hf_reference.tiny_hf_config()))
  prefix = str(tmp_path / 'converted' / 'longformer')
  span_labeler = _write_converted(model, task_heads.QUESTION_ANSWERING,
                                  prefix, global_size=6,
                                  global_tokens='marked')
  result = _run([EXPORTER, f'--checkpoint={prefix}',
                 '--head=question_answering', '--tolerance=1e-5',
                 f'--output_dir={tmp_path / "back"}'])
  assert 'LongformerForQuestionAnswering' in result.stdout.splitlines()[-1]
  assert 'max abs diff start_logits' in result.stdout, result.stdout

  back, info = transformers.LongformerForQuestionAnswering.from_pretrained(
      tmp_path / 'back', output_loading_info=True)
  assert not info['missing_keys'] and not info['unexpected_keys'], info
  original, exported = _weights(model), _weights(back)
  assert sorted(original) == sorted(exported)
  for key, value in original.items():
    np.testing.assert_array_equal(exported[key], value, err_msg=key)

  # The reloaded HF model gives our span labeler's logits.
  ids, mask = _qa_batch([5, 5], 37, seed=3)
  start, end = span_labeler(dict(
      input_word_ids=ids.astype(np.int32), input_mask=mask.astype(np.int32),
      input_type_ids=np.zeros_like(ids, np.int32)))
  with torch.no_grad():
    hf = back.eval()(input_ids=torch.from_numpy(ids),
                     attention_mask=torch.from_numpy(mask))
  for ours, theirs in ((start, hf.start_logits), (end, hf.end_logits)):
    diff, where = hf_reference.max_diff(ours.numpy() * mask,
                                        theirs.numpy() * mask)
    assert diff <= hf_reference.PARITY_ATOL, (diff, where)


def test_glue_model_dir_exports_as_a_sequence_classifier(tmp_path):
  train_path, eval_path = tiny_experiment.write_records(str(tmp_path))
  overrides = tiny_experiment.glue_overrides(train_path, eval_path)
  overrides['task']['model']['use_encoder_pooler'] = True
  model_dir = tmp_path / 'model'
  # In process: the exporter's subprocess runs are the other tests here.
  for script, args in (
      ('train.py', ['--experiment=longformer/glue',
                    f'--params_override={json.dumps(overrides)}',
                    '--mode=train', f'--model_dir={model_dir}']),
      ('utils/export_to_hf.py', [f'--model_dir={model_dir}',
                                 '--tolerance=1e-5',
                                 f'--output_dir={tmp_path / "hf"}'])):
    result = cli_in_process.run(script, args)
    assert result.returncode == 0, result.stderr[-4000:]

  back, info = (transformers.LongformerForSequenceClassification
                .from_pretrained(tmp_path / 'hf', output_loading_info=True))
  assert not info['missing_keys'] and not info['unexpected_keys'], info
  assert back.config.num_labels == 2
  encoder = config_lib.build_longformer_encoder(
      config_lib.LongformerEncoderConfig(**tiny_experiment.ENCODER))
  classifier = models.BertClassifier(network=encoder, num_classes=2,
                                     use_encoder_pooler=True)
  tf.train.Checkpoint(model=classifier).read(tf.train.latest_checkpoint(
      str(model_dir))).expect_partial().assert_existing_objects_matched()
  # Two training steps leave the logits near their ~1e-3 initial scale;
  # the same factor on both output layers makes a mapping mistake visible
  # against the 1e-5 bar.
  out_proj = classifier.classifier.out_proj
  out_proj.kernel.assign(out_proj.kernel * 100.0)
  out_proj.bias.assign(out_proj.bias * 100.0)
  with torch.no_grad():
    back.classifier.out_proj.weight.mul_(100.0)
    back.classifier.out_proj.bias.mul_(100.0)
  ids, mask = _qa_batch([3, 7, 2], 40, seed=4)
  ids = ids % tiny_experiment.ENCODER['vocab_size']
  ours = classifier(dict(input_word_ids=ids.astype(np.int32),
                         input_mask=mask.astype(np.int32),
                         input_type_ids=np.zeros_like(ids, np.int32)))
  with torch.no_grad():  # HF makes `<s>` (position 0) global by itself.
    theirs = back.eval()(input_ids=torch.from_numpy(ids),
                         attention_mask=torch.from_numpy(mask)).logits
  diff, where = hf_reference.max_diff(ours.numpy(), theirs.numpy())
  assert diff <= hf_reference.PARITY_ATOL, (diff, where)
  assert np.abs(ours.numpy()).max() > 1e-3  # Not a trivially zero output.


def test_masked_lm_round_trips_with_identical_weights(tmp_path):
  """HF `LongformerForMaskedLM` -> converter's checkpoint -> HF again."""
  model = masked_lm_conversion_test.hf_masked_lm(seed=5)
  state = _weights(model)
  encoder_config = checkpoint_conversion.encoder_config_from_hf(
      model.config.to_dict(), global_attention_size=3)
  encoder = config_lib.build_longformer_encoder(encoder_config)
  encoder(hf_reference.random_batch(model.config, 1, 8, 3))
  head = task_heads.build_task_model(encoder, task_heads.MASKED_LM)
  task_heads.load_weights(encoder, head, task_heads.MASKED_LM,
                          checkpoint_conversion.strip_task_prefix(state))
  prefix = str(tmp_path / 'converted' / 'longformer')
  tf.train.Checkpoint(**task_heads.checkpoint_items(
      encoder, head, task_heads.MASKED_LM)).write(prefix)
  with open(tmp_path / 'converted' / 'encoder_config.yaml', 'w') as f:
    yaml.safe_dump(hf_config.encoder_yaml_dict(
        encoder_config, prefix, task_heads.task_model_yaml(
            task_heads.MASKED_LM)), f)
  result = _run([EXPORTER, f'--checkpoint={prefix}', '--head=masked_lm',
                 '--tolerance=1e-5', f'--output_dir={tmp_path / "back"}'])
  assert 'max abs diff mlm_logits' in result.stdout, result.stdout
  assert 'LongformerForMaskedLM' in result.stdout.splitlines()[-1]

  back, info = transformers.LongformerForMaskedLM.from_pretrained(
      tmp_path / 'back', output_loading_info=True)
  assert not info['missing_keys'] and not info['unexpected_keys'], info
  exported = _weights(back)
  assert sorted(state) == sorted(exported)
  for key, value in state.items():
    np.testing.assert_array_equal(exported[key], value, err_msg=key)
