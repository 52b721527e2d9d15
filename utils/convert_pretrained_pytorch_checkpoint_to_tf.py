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

r"""Converts a HuggingFace PyTorch Longformer checkpoint to a TF checkpoint.

  python3 utils/convert_pretrained_pytorch_checkpoint_to_tf.py \
    --pytorch_model=allenai/longformer-base-4096 \
    --output_path=longformer-4096/longformer

`--pytorch_model` is a hub name or a local directory written by
`save_pretrained`. It reads the weight files `transformers` itself would
load (`model.safetensors`, the shards of `model.safetensors.index.json`,
else `pytorch_model.bin` or its shards, read with `weights_only=True`),
never other files in the folder. Bare `LongformerModel` checkpoints and task
models (weights under `longformer.`) both work;
`LongformerForSequenceClassification` and `LongformerForQuestionAnswering`
convert with their heads (Model Garden's `BertClassifier` with
`use_encoder_pooler=False`, and `BertSpanLabeler`), `LongformerForMaskedLM`
with its `lm_head` (the `longformer/pretraining` head).

Writes, beside each other:
- the checkpoint at `--output_path`: `tf.train.Checkpoint(encoder=...)`
  (the value for `task.init_checkpoint`); with a classification or QA head
  it also holds `model=<task model>` and the folder gets a `checkpoint`
  file, so `train.py --model_dir=<folder> --mode=eval` evaluates the
  converted model; with a masked-LM head it also holds `masked_lm=<head>`,
  which `longformer/pretraining` restores from `task.init_checkpoint`;
- `encoder_config.yaml`: a `--config_file` for `train.py` (the encoder, the
  init checkpoint, and a classifier's `num_classes`).

Before anything appears there it restores the written files into a fresh
model and compares it with the HF model `from_pretrained` loads from the
folder, on a random padded batch (for QA: `<s>` question `</s></s>`
context `</s>`, HF's own global mask), including the head's logits; above
`--tolerance` it exits non-zero and leaves no files.
"""
import json
import os
import sys

from absl import app
from absl import flags
from absl import logging

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf
import yaml

from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib
from longformer.conversion import hf_checkpoint_files
from longformer.conversion import hf_config as hf_config_lib
from longformer.modeling import masked_lm_head
from longformer.files import staged_output
from longformer.conversion import task_heads
from longformer.conversion import conversion_check
# pylint: enable=g-import-not-at-top,wrong-import-position

FLAGS = flags.FLAGS
flags.DEFINE_string('pytorch_model', 'allenai/longformer-base-4096',
                    'HF hub name or local directory of the PyTorch model.')
flags.DEFINE_string('output_path', 'longformer-4096/longformer',
                    'Checkpoint prefix to write (task.init_checkpoint).')
flags.DEFINE_integer('global_attention_size', 1,
                     'Leading tokens with global attention in the encoder '
                     'config (and in the self-check).')
flags.DEFINE_float('tolerance', 1e-4,
                   'Max abs difference allowed between HF and the converted '
                   'model in the self-check (float32).')
flags.DEFINE_integer('check_batch_size', 2, 'Self-check batch size.')
flags.DEFINE_bool(
    'overwrite', False,
    'Replace an existing output set (the checkpoint files, YAML and head '
    'state beside --output_path); without it it is refused.')
flags.DEFINE_integer('check_seq_length', 0,
                     'Self-check sequence length; 0 picks 2.5 windows of '
                     'the largest layer (at least global_attention_size + '
                     '8), within the position table.')
flags.DEFINE_bool('check', True, 'Run the parity self-check (without it the '
                  'output is written unverified).')

YAML_NAME = 'encoder_config.yaml'
# Model Garden's CheckpointManager state file: makes the folder a model_dir.
STATE_FILE_NAME = 'checkpoint'


def _model_dir(pytorch_model: str) -> str:
  """A local directory holding the model: the flag, or a hub download."""
  if os.path.isdir(pytorch_model):
    return pytorch_model
  logging.info('%s is not a local directory; downloading it from the hub.',
               pytorch_model)
  import huggingface_hub  # pylint: disable=g-import-not-at-top
  try:
    return huggingface_hub.snapshot_download(
        pytorch_model, allow_patterns=['config.json', '*.safetensors',
                                       '*.bin', '*.index.json'])
  except Exception as e:  # pylint: disable=broad-except
    raise SystemExit(
        f'Could not download {pytorch_model!r} from the HF hub ({e}). Pass a '
        'local directory written by save_pretrained instead.') from e


def _read_state(model_dir: str):
  """HF parameter name -> float32 NumPy array, without unpickling objects."""
  try:
    kind, paths = hf_checkpoint_files.weight_files(model_dir)
  except ValueError as e:
    raise SystemExit(str(e)) from e
  state = {}
  for path in paths:
    print(f'Reading {path}', flush=True)
    if kind == hf_checkpoint_files.SAFETENSORS:
      # pylint: disable-next=g-import-not-at-top
      from safetensors.numpy import load_file
      state.update(load_file(path))
    else:
      import torch  # pylint: disable=g-import-not-at-top
      loaded = torch.load(path, map_location='cpu', weights_only=True)
      state.update({k: v.float().numpy() for k, v in loaded.items()})
  return state


def _build(encoder_config, head, num_classes):
  """(encoder, task model or masked-LM head or None), variables created."""
  encoder = config_lib.build_longformer_encoder(encoder_config)
  length = min(max(8, encoder_config.global_attention_size),
               hf_config_lib.max_input_tokens(
                   encoder_config.max_position_embeddings,
                   encoder_config.pad_token_id))
  encoder(conversion_check.random_batch(encoder_config, 1, length))
  if head is None:
    return encoder, None
  return encoder, task_heads.build_task_model(
      encoder, head, num_classes, encoder_config.initializer_range,
      encoder_config.norm_epsilon)


def _write(stage, output_path, encoder, task_model, head, yaml_dict):
  """Writes the checkpoint, YAML (and state file) into the staging folder."""
  objects = task_heads.checkpoint_items(encoder, task_model, head)
  tf.train.Checkpoint(**objects).write(stage.staged_path(output_path))
  with open(stage.staged_path(_yaml_path(output_path)), 'w') as f:
    yaml.safe_dump(yaml_dict, f, default_flow_style=None, sort_keys=False)
  if head in task_heads.TASK_MODEL_HEADS:
    name = os.path.basename(output_path)
    with open(stage.staged_path(_state_path(output_path)), 'w') as f:
      f.write(f'model_checkpoint_path: "{name}"\n'
              f'all_model_checkpoint_paths: "{name}"\n')


def _yaml_path(output_path):
  return os.path.join(os.path.dirname(output_path), YAML_NAME)


def _state_path(output_path):
  return os.path.join(os.path.dirname(output_path), STATE_FILE_NAME)


def _print_report(report, head):
  if report.ignored:
    print(f'Ignored {len(report.ignored)} keys outside the encoder'
          f'{" and its head" if head else ""}: {", ".join(report.ignored)}')
  if report.left_at_init and not head:  # Task models do not use it.
    print('WARNING: the checkpoint has no pooler; left at initialization: '
          f'{", ".join(report.left_at_init)}')


def _print_masked_lm_note(norm_epsilon):
  print('Converted the masked-LM head for longformer/pretraining '
        '(task.init_checkpoint restores encoder and masked_lm).')
  if norm_epsilon != masked_lm_head.HF_NORM_EPSILON:
    print(f'NOTE: layer_norm_eps is {norm_epsilon}; continue pretraining '
          f'with task.model.mlm_norm_epsilon={norm_epsilon}.')


def _verify(stage, output_path, model_dir, head, num_classes):
  """Restores the staged files and compares them with HF; exits on failure."""
  try:
    max_diff = conversion_check.check_staged(
        stage.staged_path(output_path), stage.staged_path(
            _yaml_path(output_path)), model_dir, head, num_classes,
        FLAGS.check_batch_size, FLAGS.check_seq_length)
  except ValueError as e:
    raise SystemExit(f'Self-check not possible: {e} Nothing was '
                     'written.') from e
  if not max_diff <= FLAGS.tolerance:
    raise SystemExit(f'Self-check FAILED: max abs diff {max_diff:.3g} > '
                     f'--tolerance={FLAGS.tolerance}. Nothing was written.')
  return max_diff


def _read_inputs(model_dir):
  """(encoder config, HF state, head, num_classes); SystemExit if invalid."""
  config_path = os.path.join(model_dir, 'config.json')
  if not os.path.isfile(config_path):
    raise SystemExit(f'{model_dir} has no config.json; pass a folder written '
                     'by save_pretrained.')
  with open(config_path) as f:
    hf_config = json.load(f)
  try:
    encoder_config = hf_config_lib.encoder_config_from_hf(
        hf_config, global_attention_size=FLAGS.global_attention_size)
    state = checkpoint_conversion.strip_task_prefix(_read_state(model_dir))
    head = task_heads.head_in_state(state)
    if head == task_heads.QUESTION_ANSWERING:  # SQuAD records mark globals
      encoder_config = encoder_config.replace(global_tokens='marked')
    conversion_check.seq_length_for(encoder_config, FLAGS.check_seq_length)
  except ValueError as e:
    raise SystemExit(f'Cannot convert {FLAGS.pytorch_model}: {e}') from e
  num_classes = (task_heads.num_classes_in_state(state)
                 if head == task_heads.CLASSIFICATION else 0)
  return encoder_config, state, head, num_classes


def _print_verdict(output_path, head, max_diff):
  verdict = (f'self-check passed (max abs diff {max_diff:.3g} <= '
             f'{FLAGS.tolerance})' if FLAGS.check else 'NOT self-checked '
             '(--check=false)')
  print(f'Converted {FLAGS.pytorch_model} -> {output_path}: {verdict}. '
        f'Train or evaluate with --config_file={_yaml_path(output_path)}'
        + (f' (eval: --model_dir={os.path.dirname(output_path)})'
           if head in task_heads.TASK_MODEL_HEADS else '') + '.')


def main(argv):
  del argv
  output_path = os.path.abspath(FLAGS.output_path)
  model_dir = _model_dir(FLAGS.pytorch_model)
  encoder_config, state, head, num_classes = _read_inputs(model_dir)
  outputs = [output_path + '.index', _yaml_path(output_path)]
  if head in task_heads.TASK_MODEL_HEADS:
    outputs.append(_state_path(output_path))
  print(f'Converting {task_heads.HF_CLASSES[head]} ({len(state)} tensors).',
        flush=True)
  try:
    staged_output.refuse_existing(outputs, FLAGS.overwrite)
    encoder, task_model = _build(encoder_config, head, num_classes)
    report = task_heads.load_weights(encoder, task_model, head, state)
    _print_report(report, head)
    if head == task_heads.MASKED_LM:
      _print_masked_lm_note(encoder_config.norm_epsilon)
    yaml_dict = hf_config_lib.encoder_yaml_dict(
        encoder_config, init_checkpoint=output_path,
        model=task_heads.task_model_yaml(head, num_classes))
    base = os.path.basename(output_path)
    with staged_output.staged(
        os.path.dirname(output_path),
        (f'{base}.index', f'{base}.data-*',
         *(os.path.basename(p) for p in outputs[1:])),
        FLAGS.overwrite) as stage:
      _write(stage, output_path, encoder, task_model, head, yaml_dict)
      max_diff = (_verify(stage, output_path, model_dir, head, num_classes)
                  if FLAGS.check else None)
      written = stage.publish()
  except (checkpoint_conversion.CheckpointMismatchError,
          staged_output.OutputExistsError) as e:
    raise SystemExit(str(e)) from e
  print('Wrote ' + ', '.join(written))
  _print_verdict(output_path, head, max_diff)


if __name__ == '__main__':
  app.run(main)
