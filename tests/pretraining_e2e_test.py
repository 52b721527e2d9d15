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

"""Text -> create_pretraining_data.py -> train.py longformer/pretraining.

The whole continued-pretraining path as a user runs it, each step a CLI's
`main` run in process (their subprocess tests are pretraining_data_test,
roberta_conversion_test and train_test): a tiny RoBERTa made long by
convert_roberta_to_longformer.py,
raw text made into records by create_pretraining_data.py, train.py with
experiments/pretraining_4096.yaml (sizes overridden to tiny ones) in
train_and_eval mode, then the global projections re-copied from the
trained model_dir.
"""
import json
import os
import re

import numpy as np
import tensorflow as tf
import torch
import transformers
import yaml

import cli_in_process

_SEQ, _PREDICTIONS, _STEPS = 64, 10, 4
_SENTENCES = ('The cat sat on the mat.', 'A dog slept near the door.',
              'Long documents need long attention windows.',
              'Nobody knows whether the answer lies far away.')


def _run(script, *args):
  """`python <script> <args>` from the repository root, in process."""
  result = cli_in_process.run(script, args)
  assert result.returncode == 0, (script, result.stdout[-2000:],
                                  result.stderr[-4000:])
  return result.stdout + result.stderr


def _write_corpus(directory):
  """40 documents, one per .txt file, of 3 to 12 sentences."""
  rng = np.random.default_rng(0)
  os.makedirs(directory)
  for i in range(40):
    sentences = rng.choice(_SENTENCES, size=rng.integers(3, 13))
    with open(os.path.join(directory, f'doc{i:02d}.txt'), 'w') as f:
      f.write(' '.join(sentences) + '\n')


def _tiny_roberta(directory, vocab_size):
  torch.manual_seed(0)
  transformers.RobertaForMaskedLM(transformers.RobertaConfig(
      vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2,
      num_attention_heads=2, intermediate_size=64,
      max_position_embeddings=34, type_vocab_size=1, pad_token_id=1)
                                  ).save_pretrained(directory)


def test_text_to_pretraining_mlm_accuracy_and_recopy(tmp_path,
                                                      tiny_tokenizer_dir):
  tokenizer_dir = tiny_tokenizer_dir
  _write_corpus(tmp_path / 'corpus')
  records = str(tmp_path / 'data' / 'train.tf_record')
  _run('utils/create_pretraining_data.py', f'--input={tmp_path / "corpus"}',
       '--documents=file', f'--tokenizer={tokenizer_dir}',
       f'--max_seq_length={_SEQ}', f'--max_predictions_per_seq={_PREDICTIONS}',
       '--dupe_factor=2', f'--output_file={records}')

  vocab_size = len(transformers.AutoTokenizer.from_pretrained(tokenizer_dir))
  _tiny_roberta(tmp_path / 'roberta', vocab_size)
  long_prefix = str(tmp_path / 'long' / 'longformer')
  _run('utils/convert_roberta_to_longformer.py',
       f'--roberta_model={tmp_path / "roberta"}',
       f'--output_path={long_prefix}', f'--max_seq_length={_SEQ}',
       '--attention_window=16', '--global_attention_size=0')
  with open(tmp_path / 'long' / 'encoder_config.yaml') as f:
    written = yaml.safe_load(f)
  # The `encoder:` block, alone or inside a full `task:` override file.
  encoder = written.get('encoder') or written['task']['model']['encoder']

  data = dict(input_path=records, seq_length=_SEQ, global_batch_size=4,
              max_predictions_per_seq=_PREDICTIONS)
  overrides = {
      'task': {'init_checkpoint': long_prefix, 'model': {'encoder': encoder},
               'train_data': data, 'validation_data': data},
      'trainer': {'train_steps': _STEPS, 'validation_steps': 2,
                  'validation_interval': _STEPS, 'steps_per_loop': 2,
                  'summary_interval': 2, 'checkpoint_interval': _STEPS,
                  'optimizer_config': {
                      'learning_rate': {'polynomial': {
                          'decay_steps': _STEPS}},
                      'warmup': {'polynomial': {'warmup_steps': 1}}}},
  }
  model_dir = str(tmp_path / 'model')
  log = _run('train.py', '--experiment=longformer/pretraining',
             '--config_file=experiments/pretraining_4096.yaml',
             f'--params_override={json.dumps(overrides)}',
             '--mode=train_and_eval', f'--model_dir={model_dir}')
  assert 'Finished loading pretrained checkpoint' in log, log[-3000:]
  # Model Garden counts the model's FLOPs at the end of the job; a dict
  # `model.inputs` made it log a failure (issue 16, item 15).
  assert 'FLOPs (multi-adds) in model' in log, log[-3000:]
  assert 'Failed to count model FLOPs' not in log
  accuracy = re.findall(
      r" eval \| .*?'masked_lm_accuracy': (?:np\.float32\()?([0-9.e-]+)",
      log, re.S)
  assert accuracy, log[-3000:]
  assert 0.0 <= float(accuracy[-1]) <= 1.0
  with open(os.path.join(model_dir, 'params.yaml')) as f:
    params = yaml.safe_load(f)
  assert params['trainer']['optimizer_config']['learning_rate'][
      'polynomial']['power'] == 3.0  # from pretraining_4096.yaml

  recopied = str(tmp_path / 'recopied' / 'longformer')
  _run('utils/convert_roberta_to_longformer.py',
       f'--recopy_global_from_local={model_dir}',
       f'--output_path={recopied}')
  reader = tf.train.load_checkpoint(recopied)
  trained = tf.train.load_checkpoint(tf.train.latest_checkpoint(model_dir))
  names = [n for n in reader.get_variable_to_shape_map()
           if n.startswith('encoder/') and '_global/' in n]
  assert len(names) == 2 * 3 * 2  # layers x Q/K/V x kernel/bias
  for name in names:
    local = re.sub(r'(query|key|value)_global', r'\1', name)
    np.testing.assert_array_equal(reader.get_tensor(name),
                                  trained.get_tensor(local), err_msg=name)


def test_pretrainer_takes_a_list_in_the_order_of_model_inputs():
  """The list form (what Model Garden's FLOPs count traces) = the dict form."""
  # pylint: disable=g-import-not-at-top
  import tiny_experiment
  from official.core import task_factory
  # pylint: enable=g-import-not-at-top
  overrides = {'task': {'model': {'encoder': {
      'type': 'any', 'any': dict(tiny_experiment.ENCODER)}}}}
  params = tiny_experiment.parse_params(overrides, 'longformer/pretraining')
  model = task_factory.get_task(params.task).build_model()
  rng = np.random.default_rng(0)
  length = tiny_experiment.SEQ_LENGTH
  mask = np.ones([2, length], np.int32)
  mask[1, 40:] = 0
  inputs = {
      'input_word_ids': rng.integers(3, 64, [2, length]).astype(np.int32),
      'input_mask': mask,
      'input_type_ids': np.zeros([2, length], np.int32),
      'masked_lm_positions': np.array([[1, 5, 9], [2, 30, 39]], np.int32),
  }
  names = [tensor.name for tensor in model.inputs]
  assert names == sorted(inputs), names  # The documented order.
  from_dict = model(inputs)['mlm_logits']
  from_list = model([inputs[name] for name in names])['mlm_logits']
  np.testing.assert_array_equal(from_list.numpy(), from_dict.numpy())
