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

"""HF task heads convert: classifier logits and QA start/end logits as HF's.

Both heads go through the converter CLI; the classifier is then evaluated
by `train.py --experiment=longformer/glue --mode=eval` on the converter's
own YAML and folder, the QA model is restored into Model Garden's
`BertSpanLabeler`. Global tokens are HF's own: `<s>` for classification,
`<s>` + the question (everything before the first `</s>`) for QA, with
questions of different lengths per row, marked for our encoder by
`input_mask` 2 (`global_tokens='marked'`, the data path) or by
`global_attention_mask`.
"""
import glob
import json
import os

import numpy as np
import pytest
import tensorflow as tf
import torch
import transformers
import yaml

import cli_in_process
import hf_reference
import tiny_experiment
from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib
from longformer.conversion import task_heads

CONVERTER = 'utils/convert_pretrained_pytorch_checkpoint_to_tf.py'
SEP_ID = 2  # HF's LongformerConfig default sep_token_id, `</s>`.


def _scaled(model, seed=0):
  """HF task model in eval mode, weights scaled as hf_reference.hf_model."""
  torch.manual_seed(seed)
  with torch.no_grad():
    for name, param in model.named_parameters():
      if 'LayerNorm' in name:
        param.add_(0.1 * torch.randn_like(param))
      else:
        param.mul_(4.0)
  return model.eval()


def _run(args):
  """`python <script> <flags>`, run in process (the scripts' subprocess
  tests are converter_test and train_test)."""
  result = cli_in_process.run(args[0], args[1:])
  assert result.returncode == 0, (result.stdout[-2000:] +
                                  result.stderr[-4000:])
  return result


def _read_records(path):
  """The demo eval records as int arrays: ids, mask, labels."""
  features = {k: tf.io.FixedLenFeature([tiny_experiment.SEQ_LENGTH],
                                       tf.int64)
              for k in ('input_ids', 'input_mask', 'segment_ids')}
  features['label_ids'] = tf.io.FixedLenFeature([1], tf.int64)
  rows = [tf.io.parse_single_example(r, features)
          for r in tf.data.TFRecordDataset(path)]
  return ({k: np.stack([r[k].numpy() for r in rows]) for k in features})


def _eval_summaries(model_dir):
  """Scalar name -> value from the eval summaries train.py wrote."""
  values = {}
  for path in glob.glob(os.path.join(model_dir, 'validation', '*tfevents*')):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        values[value.tag] = float(tf.make_ndarray(value.tensor))
  return values


def test_classifier_evaluates_through_train_py_with_hf_logits(tmp_path):
  hf_config = hf_reference.tiny_hf_config(num_labels=2)
  model = _scaled(transformers.LongformerForSequenceClassification(hf_config))
  model.save_pretrained(tmp_path / 'hf')
  output_dir = tmp_path / 'converted'
  result = _run([CONVERTER, f'--pytorch_model={tmp_path / "hf"}',
                 f'--output_path={output_dir / "longformer"}',
                 '--tolerance=1e-5'])
  assert 'max abs diff logits' in result.stdout, result.stdout
  assert 'Ignored' not in result.stdout  # The head is converted, not dropped.

  _, eval_path = tiny_experiment.write_records(str(tmp_path))
  overrides = {'task': {'validation_data': {
      'input_path': eval_path, 'seq_length': tiny_experiment.SEQ_LENGTH,
      'global_batch_size': tiny_experiment.BATCH_SIZE}},
               'trainer': {'validation_steps': 2}}
  _run(['train.py', '--experiment=longformer/glue',
        f'--config_file={output_dir / "encoder_config.yaml"}',
        f'--params_override={json.dumps(overrides)}', '--mode=eval',
        f'--model_dir={output_dir}'])
  metrics = _eval_summaries(str(output_dir))

  data = _read_records(eval_path)
  assert len(data['label_ids']) == 2 * tiny_experiment.BATCH_SIZE
  with torch.no_grad():  # HF makes `<s>` global by itself.
    logits = model(input_ids=torch.from_numpy(data['input_ids']),
                   attention_mask=torch.from_numpy(data['input_mask']),
                   token_type_ids=torch.from_numpy(data['segment_ids'])
                   ).logits.numpy().astype(np.float64)
  labels = data['label_ids'][:, 0]
  log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
  hf_loss = -log_probs[np.arange(len(labels)), labels].mean()
  # The loss is a smooth function of the logits, averaged: 1e-5 on it.
  assert abs(metrics['validation_loss'] - hf_loss) <= 1e-5, (metrics,
                                                              hf_loss)
  assert metrics['cls_accuracy'] == pytest.approx(
      (logits.argmax(-1) == labels).mean(), abs=1e-6)


def _qa_batch(question_lengths, seq_length, seed=0):
  """`<s> q </s></s> context </s>` then padding: int64 ids and mask [B, T]."""
  rng = np.random.default_rng(seed)
  ids = np.full((len(question_lengths), seq_length), 1, np.int64)  # pad 1
  mask = np.zeros_like(ids)
  for row, q in enumerate(question_lengths):
    length = seq_length - 3 * row
    ids[row, :length] = rng.integers(3, 97, length)
    ids[row, 0] = 0  # <s>
    ids[row, [q + 1, q + 2, length - 1]] = SEP_ID
    mask[row, :length] = 1
  return ids, mask


def _hf_global_mask(ids):
  """HF's QA global mask: 1 before the first `</s>` of each row."""
  first_sep = (ids == SEP_ID).argmax(-1)
  return (np.arange(ids.shape[1])[None] < first_sep[:, None]).astype(
      np.int64)


def _our_span_logits(task_model, ids, mask):
  start, end = task_model(dict(input_word_ids=ids.astype(np.int32),
                               input_mask=mask.astype(np.int32),
                               input_type_ids=np.zeros_like(ids, np.int32)))
  return start.numpy(), end.numpy()


def test_qa_model_restores_into_span_labeler_with_hf_logits(tmp_path):
  question_lengths = [5, 2, 0]  # Global: `<s>` + question, 6, 3 and 1.
  global_size = 1 + max(question_lengths)
  model = _scaled(transformers.LongformerForQuestionAnswering(
      hf_reference.tiny_hf_config()))
  model.save_pretrained(tmp_path / 'hf')
  prefix = str(tmp_path / 'converted' / 'longformer')
  result = _run([CONVERTER, f'--pytorch_model={tmp_path / "hf"}',
                 f'--output_path={prefix}',
                 f'--global_attention_size={global_size}',
                 '--check_batch_size=3'])
  assert 'max abs diff end_logits' in result.stdout, result.stdout

  with open(os.path.join(os.path.dirname(prefix), 'encoder_config.yaml')) as f:
    fields = yaml.safe_load(f)['task']['model']['encoder']['any']
  # input_mask 2 = global, as the SQuAD tool writes it (issue 16 item 14).
  assert fields['global_tokens'] == 'marked', fields
  encoder = config_lib.build_longformer_encoder(
      config_lib.LongformerEncoderConfig(**fields))
  span_labeler = task_heads.build_task_model(
      encoder, task_heads.QUESTION_ANSWERING)
  tf.train.Checkpoint(model=span_labeler).read(
      prefix).assert_existing_objects_matched()
  ids, mask = _qa_batch(question_lengths, 45)
  global_mask = _hf_global_mask(ids)
  with torch.no_grad():  # HF's own global mask: everything before `</s>`.
    hf = model(input_ids=torch.from_numpy(ids),
               attention_mask=torch.from_numpy(mask))
  start, end = _our_span_logits(span_labeler, ids, mask + global_mask)
  real = mask.astype(bool)  # HF leaves padding logits unmasked too.
  for ours, theirs in ((start, hf.start_logits), (end, hf.end_logits)):
    diff, where = hf_reference.max_diff(ours * real, theirs.numpy() * real)
    assert diff <= hf_reference.PARITY_ATOL, (diff, where)

  # The same model fed HF's `global_attention_mask` with a 0/1 input_mask.
  sequence = encoder(dict(
      input_word_ids=ids.astype(np.int32), input_mask=mask.astype(np.int32),
      input_type_ids=np.zeros_like(ids, np.int32),
      global_attention_mask=global_mask.astype(np.int32)))['sequence_output']
  start, _ = span_labeler.span_labeling(sequence)
  diff, where = hf_reference.max_diff(start.numpy() * real,
                                      hf.start_logits.numpy() * real)
  assert diff <= hf_reference.PARITY_ATOL, (diff, where)
  # Negative control: the first G tokens global (right only for row 0).
  start, _ = _our_span_logits(span_labeler, ids,
                              mask + (np.arange(45) < global_size) * mask)
  diff = np.abs((start - hf.start_logits.numpy()) * real)[1:].max()
  assert diff > 100 * hf_reference.PARITY_ATOL, diff


@pytest.mark.parametrize('head', [task_heads.CLASSIFICATION,
                                  task_heads.QUESTION_ANSWERING])
def test_a_transposed_head_kernel_fails_the_bar(head):
  hf_config = hf_reference.tiny_hf_config(num_labels=2)
  hf_class = getattr(transformers, task_heads.HF_CLASSES[head])
  model = _scaled(hf_class(hf_config))
  state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
  if head == task_heads.CLASSIFICATION:  # [D, D]: transposing keeps shape.
    state['classifier.dense.weight'] = state['classifier.dense.weight'].T
  else:  # [2, D]: start and end swapped.
    state['qa_outputs.weight'] = state['qa_outputs.weight'][::-1]
  encoder_config = checkpoint_conversion.encoder_config_from_hf(
      hf_config.to_dict(), global_attention_size=6)
  encoder = config_lib.build_longformer_encoder(encoder_config)
  task_model = task_heads.build_task_model(encoder, head, num_classes=2)
  checkpoint_conversion.load_hf_weights(
      encoder, state, task_heads.head_weight_table(task_model, head))
  ids, mask = _qa_batch([5, 5, 5], 45)
  with torch.no_grad():
    hf = model(input_ids=torch.from_numpy(ids),
               attention_mask=torch.from_numpy(mask),
               global_attention_mask=torch.from_numpy(
                   (np.arange(45) < 6)[None].repeat(3, 0).astype(np.int64)))
  if head == task_heads.CLASSIFICATION:
    ours = task_model(dict(input_word_ids=ids.astype(np.int32),
                           input_mask=mask.astype(np.int32),
                           input_type_ids=np.zeros_like(ids, np.int32)))
    diff = np.abs(ours.numpy() - hf.logits.numpy()).max()
  else:
    start, _ = _our_span_logits(task_model, ids, mask)
    diff = np.abs((start - hf.start_logits.numpy()) * mask).max()
  assert diff > 100 * hf_reference.PARITY_ATOL, diff
