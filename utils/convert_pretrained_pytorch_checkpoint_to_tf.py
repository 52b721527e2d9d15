r"""Converts a HuggingFace PyTorch Longformer checkpoint to a TF checkpoint.

  python3 utils/convert_pretrained_pytorch_checkpoint_to_tf.py \
    --pytorch_model=allenai/longformer-base-4096 \
    --output_path=longformer-4096/longformer

`--pytorch_model` is a hub name or a local directory written by
`save_pretrained` (config.json plus safetensors, or a torch `.bin` file read
with `weights_only=True`). Bare `LongformerModel` checkpoints and task
models (weights under `longformer.`) both work.

Writes `tf.train.Checkpoint(encoder=encoder)` at `--output_path` (the value
for `task.init_checkpoint`), and `encoder_config.yaml` beside it: the
`encoder:` block to paste into an experiment YAML. Then runs HF and the
converted encoder on a random padded batch, prints the max abs difference,
and exits non-zero above `--tolerance`.
"""
import glob
import json
import os
import sys

from absl import app
from absl import flags
from absl import logging
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf
import yaml

from longformer import checkpoint_conversion
from longformer import config as config_lib
from longformer import masked_lm_conversion
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
                   'encoder in the self-check (float32).')
flags.DEFINE_integer('check_batch_size', 2, 'Self-check batch size.')
flags.DEFINE_integer('check_seq_length', 0,
                     'Self-check sequence length; 0 picks 2.5 windows of '
                     'the largest layer, within the position table.')
flags.DEFINE_bool('check', True, 'Run the parity self-check.')


def _model_dir(pytorch_model: str) -> str:
  """A local directory holding the model: the flag, or a hub download."""
  if os.path.isdir(pytorch_model):
    return pytorch_model
  logging.info('%s is not a local directory; downloading it from the hub.',
               pytorch_model)
  import huggingface_hub  # pylint: disable=g-import-not-at-top
  try:
    return huggingface_hub.snapshot_download(
        pytorch_model,
        allow_patterns=['config.json', '*.safetensors', '*.bin', '*.json'])
  except Exception as e:  # pylint: disable=broad-except
    raise SystemExit(
        f'Could not download {pytorch_model!r} from the HF hub ({e}). Pass a '
        'local directory written by save_pretrained instead.') from e


def _read_state(model_dir: str):
  """HF parameter name -> float32 NumPy array, without unpickling objects."""
  safetensor_files = sorted(glob.glob(os.path.join(model_dir,
                                                   '*.safetensors')))
  state = {}
  if safetensor_files:
    from safetensors.numpy import load_file  # pylint: disable=g-import-not-at-top
    for path in safetensor_files:
      logging.info('Reading %s', path)
      state.update(load_file(path))
    return state
  torch_files = sorted(glob.glob(os.path.join(model_dir, '*.bin')))
  if not torch_files:
    raise SystemExit(f'No *.safetensors or *.bin weights in {model_dir}.')
  import torch  # pylint: disable=g-import-not-at-top
  for path in torch_files:
    logging.info('Reading %s (torch.load, weights_only=True)', path)
    loaded = torch.load(path, map_location='cpu', weights_only=True)
    state.update({k: v.float().numpy() for k, v in loaded.items()})
  return state


def _random_batch(encoder_config, batch_size, seq_length, seed=0):
  """Random ids with ragged padding: dict of int32 [B, T] arrays."""
  rng = np.random.default_rng(seed)
  pad = encoder_config.pad_token_id
  ids = rng.integers(0, encoder_config.vocab_size, (batch_size, seq_length))
  ids[ids == pad] = (pad + 1) % encoder_config.vocab_size
  mask = np.ones((batch_size, seq_length), np.int32)
  for row in range(1, batch_size):  # Every row but the first is padded.
    mask[row, max(encoder_config.global_attention_size, 1) +
         rng.integers(0, seq_length // 2):] = 0
  ids[mask == 0] = pad
  types = rng.integers(0, encoder_config.type_vocab_size,
                       (batch_size, seq_length))
  return dict(input_word_ids=ids.astype(np.int32), input_mask=mask,
              input_type_ids=(types * mask).astype(np.int32))


def _check_parity(encoder, encoder_config, hf_config, state) -> float:
  """Max abs difference of sequence and pooled outputs, HF vs ours."""
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  hf_model = transformers.LongformerModel(
      transformers.LongformerConfig.from_dict(hf_config))
  missing, unexpected = hf_model.load_state_dict(
      {k: torch.from_numpy(np.asarray(v, np.float32)) for k, v in
       checkpoint_conversion.strip_task_prefix(state).items()}, strict=False)
  if missing:
    logging.warning('HF reference lacks %s (left at init, e.g. no pooler in '
                    'a task checkpoint)', missing)
  del unexpected  # Task heads, listed as ignored by the conversion.
  hf_model.eval()
  seq_length = FLAGS.check_seq_length or min(
      5 * max(encoder_config.attention_window) // 2,
      encoder_config.max_position_embeddings -
      encoder_config.pad_token_id - 1)
  batch = _random_batch(encoder_config, FLAGS.check_batch_size, seq_length)
  global_mask = np.zeros_like(batch['input_mask'])
  global_mask[:, :encoder_config.global_attention_size] = 1
  with torch.no_grad():
    hf_out = hf_model(
        input_ids=torch.from_numpy(batch['input_word_ids'].astype(np.int64)),
        attention_mask=torch.from_numpy(batch['input_mask'].astype(np.int64)),
        global_attention_mask=torch.from_numpy(global_mask.astype(np.int64)),
        token_type_ids=torch.from_numpy(
            batch['input_type_ids'].astype(np.int64)))
  ours = encoder(batch, training=False)
  diffs = {
      'sequence_output': np.abs(ours['sequence_output'].numpy() -
                                hf_out.last_hidden_state.numpy()).max(),
  }
  if not missing:
    diffs['pooled_output'] = np.abs(ours['pooled_output'].numpy() -
                                    hf_out.pooler_output.numpy()).max()
  for name, diff in diffs.items():
    print(f'Self-check on a [{FLAGS.check_batch_size}, {seq_length}] padded '
          f'batch: max abs diff {name} = {diff:.3g}')
  return float(max(diffs.values()))


def _check_mlm_parity(encoder, head, encoder_config, hf_config, state):
  """Max abs difference of MLM logits, HF `LongformerForMaskedLM` vs ours."""
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  from utils import hf_mlm_check  # pylint: disable=g-import-not-at-top
  hf_model = transformers.LongformerForMaskedLM(
      transformers.LongformerConfig.from_dict(hf_config))
  hf_model.load_state_dict({k: torch.from_numpy(np.asarray(v, np.float32))
                            for k, v in state.items()}, strict=False)
  batch = _random_batch(encoder_config, FLAGS.check_batch_size, min(
      64, encoder_config.max_position_embeddings -
      encoder_config.pad_token_id - 1))
  diff = hf_mlm_check.max_mlm_logits_diff(
      hf_model, encoder, head, batch, encoder_config.global_attention_size)
  print(f'Self-check: max abs diff mlm_logits = {diff:.3g}')
  return diff


def main(argv):
  del argv
  model_dir = _model_dir(FLAGS.pytorch_model)
  with open(os.path.join(model_dir, 'config.json')) as f:
    hf_config = json.load(f)
  logging.info('HF config: %s', hf_config)
  encoder_config = checkpoint_conversion.encoder_config_from_hf(
      hf_config, global_attention_size=FLAGS.global_attention_size)
  encoder = config_lib.build_longformer_encoder(encoder_config)
  encoder(_random_batch(encoder_config, 1, 8))  # Creates the variables.
  state = _read_state(model_dir)
  logging.info('Read %d tensors; mapping them to %d encoder variables.',
               len(state), len(encoder.variables))
  try:
    report = checkpoint_conversion.load_hf_weights(encoder, state)
  except checkpoint_conversion.CheckpointMismatchError as e:
    raise SystemExit(str(e)) from e
  if report.ignored:
    print(f'Ignored {len(report.ignored)} non-encoder keys: '
          f'{", ".join(report.ignored)}')
  if report.left_at_init:
    print('WARNING: the checkpoint has no pooler; left at initialization: '
          f'{", ".join(report.left_at_init)}')
  head = None
  if masked_lm_conversion.has_lm_head(state):  # ...ForMaskedLM: keep lm_head.
    head = masked_lm_conversion.build_masked_lm(encoder, hf_config)
    try:
      used = masked_lm_conversion.load_lm_head_weights(head, state)
    except checkpoint_conversion.CheckpointMismatchError as e:
      raise SystemExit(str(e)) from e
    print(f'Converted the masked-LM head ({", ".join(used)}) for '
          f'longformer/pretraining (mlm_norm_epsilon {head.norm_epsilon}).')

  output_dir = os.path.dirname(os.path.abspath(FLAGS.output_path))
  os.makedirs(output_dir, exist_ok=True)
  path = tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
      encoder, head)).write(FLAGS.output_path)
  print(f'Wrote checkpoint {path} ({len(encoder.variables)} variables).')
  yaml_path = os.path.join(output_dir, 'encoder_config.yaml')
  with open(yaml_path, 'w') as f:
    yaml.safe_dump(
        checkpoint_conversion.encoder_config_yaml_dict(encoder_config), f,
        default_flow_style=None, sort_keys=False)
  print(f'Wrote {yaml_path}')

  if FLAGS.check:
    diff = _check_parity(encoder, encoder_config, hf_config, state)
    if head is not None:
      diff = max(diff, _check_mlm_parity(encoder, head, encoder_config,
                                         hf_config, state))
    if not diff <= FLAGS.tolerance:
      raise SystemExit(f'Self-check FAILED: max abs diff {diff:.3g} > '
                       f'--tolerance={FLAGS.tolerance}.')
    print(f'Self-check passed (tolerance {FLAGS.tolerance}).')


if __name__ == '__main__':
  app.run(main)
