r"""Makes a Longformer out of an HF RoBERTa checkpoint (allenai's recipe).

  python3 utils/convert_roberta_to_longformer.py \
    --roberta_model=roberta-base --output_path=roberta-4096/longformer \
    --max_seq_length=4096 --attention_window=512

`--roberta_model` is a hub name or a `save_pretrained` directory of a
`RobertaModel` or `RobertaForMaskedLM` (any size; XLM-R and CamemBERT too).
The learned positions (after RoBERTa's offset of pad_token_id + 1 = 2) are
copied again and again up to `--max_seq_length`, the local Q/K/V
projections are copied into the global ones, every layer gets
`--attention_window`. Writes `tf.train.Checkpoint(encoder=...)` (plus
`masked_lm=` for a masked-LM model: what `longformer/pretraining` restores
from `task.init_checkpoint`) at `--output_path` and `encoder_config.yaml`
beside it. Before anything appears there, the written checkpoint is
restored with windows covering the whole check sequence and no global
tokens, where it must compute what RoBERTa computes.

  python3 utils/convert_roberta_to_longformer.py \
    --recopy_global_from_local=<train.py model_dir or checkpoint prefix> \
    --output_path=pretrained/longformer

re-copies the local projections into the global ones after masked-LM
pretraining (which, with no global tokens, never trains the global ones).
"""
import os
import shutil
import sys
import tempfile

from absl import app
from absl import flags
from absl import logging
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf
import yaml

from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib
from longformer.conversion import hf_config as hf_config_lib
from longformer.conversion import masked_lm_conversion
from longformer.modeling import masked_lm_head
from longformer.conversion import roberta_conversion
# pylint: enable=g-import-not-at-top,wrong-import-position

FLAGS = flags.FLAGS
flags.DEFINE_string('roberta_model', 'roberta-base',
                    'HF hub name or local directory of the RoBERTa model.')
flags.DEFINE_string('output_path', None,
                    'Checkpoint prefix to write (task.init_checkpoint); '
                    'encoder_config.yaml goes beside it.')
flags.DEFINE_integer('max_seq_length', 4096,
                     'Tokens the Longformer takes; the position table is '
                     'extended to this (plus RoBERTa\'s offset of 2).')
flags.DEFINE_integer('attention_window', 512,
                     'Full, even attention window of every layer.')
flags.DEFINE_integer('global_attention_size', 1,
                     'Leading global tokens in the written encoder config.')
flags.DEFINE_float('tolerance', 1e-4,
                   'Max abs difference allowed between RoBERTa and the '
                   'converted model in the self-check (float32).')
flags.DEFINE_integer('check_batch_size', 2, 'Self-check batch size.')
flags.DEFINE_integer('check_seq_length', 0,
                     'Self-check length; 0: RoBERTa\'s length, at most 128.')
flags.DEFINE_string('recopy_global_from_local', '',
                    'Instead of converting: a train.py model_dir (its '
                    'latest checkpoint and params.yaml) or a checkpoint '
                    'prefix with encoder_config.yaml beside it, whose '
                    'global Q/K/V are reset to the local ones.')
flags.mark_flag_as_required('output_path')


def _load_roberta(name):
  """(HF model in eval mode, its config dict); refuses partial loads."""
  import transformers  # pylint: disable=g-import-not-at-top
  try:
    config = transformers.AutoConfig.from_pretrained(name)
  except Exception as e:  # pylint: disable=broad-except
    raise SystemExit(f'Could not load an HF config from {name!r} ({e}). Pass '
                     'a hub name or a save_pretrained directory.') from e
  masked_lm = any(a.endswith('ForMaskedLM')
                  for a in (config.architectures or []))
  cls = (transformers.AutoModelForMaskedLM if masked_lm
         else transformers.AutoModel)
  model, info = cls.from_pretrained(name, output_loading_info=True)
  if info['missing_keys'] or info['mismatched_keys']:
    raise SystemExit(f'{name} does not hold a whole {cls.__name__[4:]}: '
                     f'missing {info["missing_keys"]}, mismatched '
                     f'{info["mismatched_keys"]}.')
  logging.info('Loaded %s (%s); unused keys: %s', name,
               type(model).__name__, info['unexpected_keys'])
  return model.float().eval(), config.to_dict()


def _random_batch(encoder_config, batch_size, seq_length, seed=0):
  """Random ids with ragged padding: dict of int32 [B, T] arrays."""
  rng = np.random.default_rng(seed)
  pad = encoder_config.pad_token_id
  ids = rng.integers(pad + 1, encoder_config.vocab_size,
                     (batch_size, seq_length))
  lengths = [seq_length] + list(rng.integers(1, seq_length + 1,
                                             batch_size - 1))
  mask = (np.arange(seq_length)[None] <
          np.asarray(lengths)[:, None]).astype(np.int32)
  ids[mask == 0] = pad
  types = rng.integers(0, encoder_config.type_vocab_size,
                       (batch_size, seq_length)) * mask
  return dict(input_word_ids=ids.astype(np.int32), input_mask=mask,
              input_type_ids=types.astype(np.int32))


def _build(encoder_config, with_head, norm_epsilon):
  """A built encoder and, if `with_head`, a `RobertaMaskedLM` on it."""
  encoder = config_lib.build_longformer_encoder(encoder_config)
  length = max(8, encoder_config.global_attention_size + 1)
  encoder(_random_batch(encoder_config, 1, length))
  head = None
  if with_head:
    head = masked_lm_conversion.build_masked_lm(
        encoder, {'layer_norm_eps': norm_epsilon})
  return encoder, head


def _write(encoder, head, encoder_config, directory, basename):
  """Writes the checkpoint and encoder_config.yaml into `directory`."""
  prefix = os.path.join(directory, basename)
  tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
      encoder, head)).write(prefix)
  with open(os.path.join(directory, 'encoder_config.yaml'), 'w') as f:
    yaml.safe_dump(
        hf_config_lib.encoder_yaml_dict(encoder_config), f,
        default_flow_style=None, sort_keys=False)
  return prefix


def _restore(prefix, encoder_config, with_head, norm_epsilon):
  """The written checkpoint, every value matched, into a fresh model."""
  encoder, head = _build(encoder_config, with_head, norm_epsilon)
  tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
      encoder, head)).read(prefix).assert_consumed()
  return encoder, head


def _move_into_place(temp_dir, output_path):
  """Moves the verified files next to `output_path`: data, index, YAML."""
  output_dir = os.path.dirname(os.path.abspath(output_path))
  order = lambda n: 2 if n.endswith('.yaml') else n.endswith('.index')
  names = sorted(os.listdir(temp_dir), key=order)
  for name in names:
    os.replace(os.path.join(temp_dir, name), os.path.join(output_dir, name))
  return [os.path.join(output_dir, name) for name in names]


def _write_checked(encoder, head, encoder_config, check):
  """Writes into a temp dir beside --output_path, runs `check(prefix)`,
  then moves the files into place; nothing is left there on failure."""
  output_dir = os.path.dirname(os.path.abspath(FLAGS.output_path))
  os.makedirs(output_dir, exist_ok=True)
  temp_dir = tempfile.mkdtemp(prefix='.convert-', dir=output_dir)
  try:
    prefix = _write(encoder, head, encoder_config, temp_dir,
                    os.path.basename(FLAGS.output_path))
    check(prefix)
    written = _move_into_place(temp_dir, FLAGS.output_path)
  finally:
    shutil.rmtree(temp_dir, ignore_errors=True)
  for path in written:
    print(f'Wrote {path}')


def _roberta_diffs(hf_model, encoder, head, batch):
  """Max abs differences of real tokens' outputs, RoBERTa vs ours."""
  from longformer.conversion import conversion_check  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  base = getattr(hf_model, 'roberta', hf_model)
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  with torch.no_grad():
    out = base(input_ids=as_long(batch['input_word_ids']),
               attention_mask=as_long(batch['input_mask']),
               token_type_ids=as_long(batch['input_type_ids']))
  ours = encoder(batch, training=False)
  real = batch['input_mask'][..., None] > 0
  diffs = {'sequence_output': float(np.abs(np.where(
      real, ours['sequence_output'].numpy() - out.last_hidden_state.numpy(),
      0)).max())}
  if out.pooler_output is not None:
    diffs['pooled_output'] = float(np.abs(
        ours['pooled_output'].numpy() - out.pooler_output.numpy()).max())
  if head is not None:
    diffs['mlm_logits'] = conversion_check.max_mlm_logits_diff(
        hf_model, encoder, head, batch, 0)
  return diffs


def _check_against_roberta(prefix, hf_model, encoder_config, head):
  """Restores `prefix` with full windows and no global tokens; compares."""
  roberta_length = (hf_model.config.max_position_embeddings -
                    encoder_config.pad_token_id - 1)
  length = FLAGS.check_seq_length or min(roberta_length, 128)
  if not 0 < length <= roberta_length:
    raise SystemExit(f'--check_seq_length={length} must be in [1, '
                     f'{roberta_length}] (RoBERTa\'s length).')
  check_config = config_lib.LongformerEncoderConfig(
      **encoder_config.as_dict())
  check_config.attention_window = [2 * length] * encoder_config.num_layers
  check_config.global_attention_size = 0
  encoder, head = _restore(prefix, check_config, head is not None,
                           head.norm_epsilon if head else 0)
  batch = _random_batch(encoder_config, FLAGS.check_batch_size, length)
  diffs = _roberta_diffs(hf_model, encoder, head, batch)
  for name, diff in diffs.items():
    print(f'Self-check on a [{FLAGS.check_batch_size}, {length}] padded '
          f'batch (window {2 * length}, no global tokens): max abs diff '
          f'{name} = {diff:.3g}')
  worst = max(diffs.values())
  if not worst <= FLAGS.tolerance:
    raise SystemExit(f'Self-check FAILED: max abs diff {worst:.3g} > '
                     f'--tolerance={FLAGS.tolerance}; nothing written.')


def convert():
  """RoBERTa -> Longformer checkpoint + encoder_config.yaml."""
  if not 0 <= FLAGS.global_attention_size <= FLAGS.max_seq_length:
    raise SystemExit(f'--global_attention_size={FLAGS.global_attention_size}'
                     f' must be in [0, --max_seq_length].')
  hf_model, roberta_config = _load_roberta(FLAGS.roberta_model)
  state = {k: v.detach().numpy() for k, v in hf_model.state_dict().items()}
  try:
    longformer_config = roberta_conversion.longformer_config_from_roberta(
        roberta_config, FLAGS.max_seq_length, FLAGS.attention_window)
    encoder_config = checkpoint_conversion.encoder_config_from_hf(
        longformer_config, FLAGS.global_attention_size)
    longformer_state = roberta_conversion.roberta_state_to_longformer(
        state, roberta_config, FLAGS.max_seq_length)
  except ValueError as e:
    raise SystemExit(str(e)) from e
  with_head = masked_lm_conversion.has_lm_head(longformer_state)
  encoder, head = _build(encoder_config, with_head,
                         longformer_config.get('layer_norm_eps', 1e-5))
  print(f'Converting {type(hf_model).__name__}: position table '
        f'{state[next(k for k in state if "position_embeddings" in k)].shape}'
        f' -> {longformer_state["embeddings.position_embeddings.weight"].shape}'
        f', window {FLAGS.attention_window}, global Q/K/V copied from local.')
  try:
    checkpoint_conversion.load_hf_weights(encoder, longformer_state)
    if head is not None:
      masked_lm_conversion.load_lm_head_weights(head, longformer_state)
  except checkpoint_conversion.CheckpointMismatchError as e:
    raise SystemExit(str(e)) from e
  _write_checked(encoder, head, encoder_config,
                 lambda prefix: _check_against_roberta(
                     prefix, hf_model, encoder_config, head))
  print(f'Converted {FLAGS.roberta_model} to a {FLAGS.max_seq_length}-token '
        f'Longformer at {FLAGS.output_path}'
        + (' with its masked-LM head.' if head is not None else '.'))


def _source_of_recopy(path):
  """(checkpoint path, encoder config, head LayerNorm epsilon)."""
  if os.path.isdir(path):  # A train.py model_dir.
    checkpoint = tf.train.latest_checkpoint(path)
    yaml_path = os.path.join(path, 'params.yaml')
    if not checkpoint or not os.path.exists(yaml_path):
      raise SystemExit(f'{path} has no checkpoint or params.yaml; pass a '
                       'train.py model_dir or a checkpoint prefix.')
    with open(yaml_path) as f:
      model = yaml.safe_load(f)['task']['model']
    encoder, epsilon = model['encoder'], model.get('mlm_norm_epsilon', 1e-5)
  else:  # A converter prefix.
    checkpoint = path
    yaml_path = os.path.join(os.path.dirname(os.path.abspath(path)),
                             'encoder_config.yaml')
    if not os.path.exists(yaml_path):
      raise SystemExit(f'No encoder_config.yaml beside {path}.')
    with open(yaml_path) as f:
      written = yaml.safe_load(f)
    # The `encoder:` block, alone or inside a full `task:` override file.
    encoder = written.get('encoder') or written['task']['model']['encoder']
    epsilon = masked_lm_head.HF_NORM_EPSILON
  if encoder.get('type') != 'any':
    raise SystemExit(f'{yaml_path} does not describe a Longformer encoder '
                     '(encoder.type must be any).')
  return checkpoint, config_lib.LongformerEncoderConfig(
      **encoder['any']), epsilon


def _check_recopy(prefix, encoder_config, head, source):
  """The written checkpoint equals `source` except global == local."""
  restored, _ = _restore(prefix, encoder_config, head is not None,
                         head.norm_epsilon if head else 0)
  for name, ours, theirs in zip(
      [v.name for v in source.variables], restored.variables,
      source.variables):
    if not np.array_equal(ours.numpy(), theirs.numpy()):
      raise SystemExit(f'Self-check FAILED: {name} differs after writing.')
  for layer, name, local, global_ in roberta_conversion.local_and_global_pairs(
      restored):
    if not np.array_equal(local.numpy(), global_.numpy()):
      raise SystemExit(f'Self-check FAILED: layer {layer} global {name} != '
                       'local.')
  print('Self-check passed: every global Q/K/V equals its local one, all '
        'other weights as read.')


def recopy():
  """Existing Longformer checkpoint -> the same with global := local."""
  checkpoint, encoder_config, epsilon = _source_of_recopy(
      FLAGS.recopy_global_from_local)
  names = [name for name, _ in tf.train.list_variables(checkpoint)]
  with_head = any(n.startswith('masked_lm/') and 'embedding_table' not in n
                  for n in names)
  encoder, head = _build(encoder_config, with_head, epsilon)
  status = tf.train.Checkpoint(**masked_lm_conversion.checkpoint_items(
      encoder, head)).read(checkpoint)
  status.expect_partial().assert_existing_objects_matched()
  count = roberta_conversion.copy_local_to_global(encoder)
  print(f'Read {checkpoint}; copied {count} local Q/K/V weights into the '
        'global ones.')
  _write_checked(encoder, head, encoder_config,
                 lambda prefix: _check_recopy(prefix, encoder_config, head,
                                              encoder))
  print(f'Re-copied global from local projections: {FLAGS.output_path}')


def main(argv):
  del argv
  if FLAGS.recopy_global_from_local:
    recopy()
  else:
    convert()


if __name__ == '__main__':
  app.run(main)
