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

r"""Exports a trained Longformer (and its head) to an HF `save_pretrained` dir.

  # A converted or trained encoder checkpoint with its encoder_config.yaml:
  python3 utils/export_to_hf.py --checkpoint=longformer-4096/longformer \
    --output_dir=hf-longformer [--head=question_answering]
  # A train.py model_dir of a longformer/glue or longformer/squad run (its
  # params.yaml and latest checkpoint; the classifier or span head comes
  # along), with the tokenizer, so HF's pipeline(...) loads the folder:
  python3 utils/export_to_hf.py --model_dir=/tmp/mnli --output_dir=hf-mnli \
    --tokenizer=allenai/longformer-base-4096

A classifier's `id2label` / `label2id` hold the class names the data tool
recorded (`<task>_meta_data.json` beside the run's TFRecords), or
`--label_names`; without either they stay HF's LABEL_0, LABEL_1, ...
`--tokenizer` is saved beside the weights (its `model_max_length` set to the
model's `max_position_embeddings - 2`, the tokens RoBERTa positions hold).

The weights go through the converter's table in reverse
(`checkpoint_conversion.hf_weights_from_model`), so HF -> ours -> HF gives
the same arrays. The folder loads as `LongformerModel`,
`LongformerForSequenceClassification`, `LongformerForQuestionAnswering` or
(`--head=masked_lm`, from the converter's or a pretraining checkpoint's
`encoder=` + `masked_lm=`) `LongformerForMaskedLM`, whose decoder is tied to
the word embeddings. `global_tokens` in the YAML has no HF field: it only
decides how the self-check marks our global tokens.
Before it appears at `--output_dir`, the written folder is loaded back with
`from_pretrained` (no missing or unexpected weights allowed) and compared
with our model on a random padded batch; above `--tolerance` nothing is
written.
"""
import os
import sys

from absl import app
from absl import flags
import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf

from official.nlp.modeling import models
from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib
from longformer.conversion import hf_config as hf_config_lib
from longformer.data import metadata
from longformer.data import tokenizer as tokenizer_lib
from longformer.files import staged_output
from longformer.conversion import masked_lm_conversion
from longformer.conversion import task_heads
from longformer.conversion import conversion_check
# pylint: enable=g-import-not-at-top,wrong-import-position

FLAGS = flags.FLAGS
flags.DEFINE_string('checkpoint', None,
                    'Checkpoint prefix holding encoder=... (and model=... for '
                    'a head), e.g. the converter\'s --output_path.')
flags.DEFINE_string('config_file', None,
                    'The YAML describing --checkpoint\'s encoder; default: '
                    'encoder_config.yaml beside it.')
flags.DEFINE_enum('head', 'none', ['none', task_heads.CLASSIFICATION,
                                   task_heads.QUESTION_ANSWERING,
                                   task_heads.MASKED_LM],
                  'Head stored under model= in --checkpoint (masked_lm: '
                  'under masked_lm=, as the converter and '
                  'longformer/pretraining write it).')
flags.DEFINE_string('model_dir', None,
                    'A train.py model_dir of a longformer/glue or '
                    'longformer/squad run (instead of --checkpoint): '
                    'params.yaml and its latest checkpoint.')
flags.DEFINE_list('label_names', None,
                  'Class names in class-index order for id2label; default: '
                  'the data tool\'s metadata beside the run\'s TFRecords.')
flags.DEFINE_string('tokenizer', None,
                    'A tokenizer (hub name or folder, as the data tools take '
                    'it) to save beside the weights.')
flags.DEFINE_string('output_dir', None, 'The save_pretrained folder to write.')
flags.DEFINE_bool(
    'overwrite', False,
    'Replace an existing --output_dir (all its files: the folder is the '
    'output set); without it it is refused.')
flags.DEFINE_float('tolerance', 1e-4, 'Max abs difference allowed between '
                   'our model and the reloaded HF model (float32).')


def _source():
  """(task.model dict, checkpoint path, head) from the flags."""
  if bool(FLAGS.checkpoint) == bool(FLAGS.model_dir):
    raise SystemExit('Pass exactly one of --checkpoint and --model_dir.')
  if FLAGS.model_dir:
    path = tf.train.latest_checkpoint(FLAGS.model_dir)
    yaml_path = os.path.join(FLAGS.model_dir, 'params.yaml')
    if path is None or not os.path.isfile(yaml_path):
      raise SystemExit(f'{FLAGS.model_dir} has no checkpoint and params.yaml '
                       'of a train.py run.')
  else:
    path, head = FLAGS.checkpoint, (None if FLAGS.head == 'none' else
                                    FLAGS.head)
    yaml_path = FLAGS.config_file or os.path.join(
        os.path.dirname(os.path.abspath(path)), 'encoder_config.yaml')
  with open(yaml_path) as f:
    task = yaml.safe_load(f)['task']
  task_model = task['model']
  if FLAGS.model_dir:
    head = (task_heads.QUESTION_ANSWERING if 'validation_features_path' in task
            else task_heads.CLASSIFICATION)
    task_model['data_metadata'] = metadata.find_metadata([
        (task.get(s) or {}).get('input_path')
        for s in ('train_data', 'validation_data')])
  if head == task_heads.CLASSIFICATION and not task_model.get('num_classes'):
    raise SystemExit(f'{yaml_path} has no task.model.num_classes; is it a '
                     'classifier\'s config?')
  return task_model, path, head


def _restore(task_model_fields, path, head):
  """(encoder config, encoder, task model or None), restored from `path`."""
  fields = task_model_fields['encoder']['any']
  encoder_config = config_lib.LongformerEncoderConfig(**fields)
  encoder = config_lib.build_longformer_encoder(encoder_config)
  if head is None:
    encoder(conversion_check.random_batch(encoder_config, 1, max(
        8, encoder_config.global_attention_size)))
    tf.train.Checkpoint(encoder=encoder).read(
        path).expect_partial().assert_existing_objects_matched()
    return encoder_config, encoder, None
  if head == task_heads.CLASSIFICATION:
    task_model = task_heads.build_task_model(
        encoder, head, task_model_fields['num_classes'])
    if task_model_fields.get('use_encoder_pooler'):
      task_model = _pooler_classifier(encoder, task_model_fields)
  elif head == task_heads.MASKED_LM:
    return _restore_masked_lm(task_model_fields, encoder_config, encoder,
                              path)
  else:
    task_model = task_heads.build_task_model(encoder, head)
  tf.train.Checkpoint(model=task_model).read(
      path).expect_partial().assert_existing_objects_matched()
  return encoder_config, encoder, task_model


def _restore_masked_lm(task_model_fields, encoder_config, encoder, path):
  """(encoder config, encoder, masked-LM head) from encoder= and masked_lm=."""
  encoder(conversion_check.random_batch(encoder_config, 1, max(
      8, encoder_config.global_attention_size)))
  head = task_heads.build_task_model(
      encoder, task_heads.MASKED_LM, norm_epsilon=task_model_fields.get(
          'mlm_norm_epsilon', encoder_config.norm_epsilon))
  tf.train.Checkpoint(**task_heads.checkpoint_items(
      encoder, head, task_heads.MASKED_LM)).read(
          path).expect_partial().assert_existing_objects_matched()
  return encoder_config, encoder, head


def _pooler_classifier(encoder, task_model_fields):
  """longformer/glue's classifier over the encoder's pooler."""
  return models.BertClassifier(
      network=encoder, num_classes=task_model_fields['num_classes'],
      use_encoder_pooler=True)


def _label_fields(task_model_fields, num_labels):
  """HF's id2label / label2id, from --label_names or the data's metadata."""
  names = FLAGS.label_names or metadata.label_names(
      task_model_fields.get('data_metadata'), num_labels)
  if not names:
    return {}
  if len(names) != num_labels or len(set(names)) != len(names):
    raise SystemExit(f'--label_names={",".join(names)}: the model has '
                     f'{num_labels} classes; give {num_labels} distinct names '
                     'in class-index order.')
  return {'id2label': dict(enumerate(names)),
          'label2id': {n: i for i, n in enumerate(names)}}


def _save_tokenizer(encoder_config, folder):
  """Saves --tokenizer into `folder`; returns its description."""
  tokenizer = tokenizer_lib.load_tokenizer(FLAGS.tokenizer)
  if len(tokenizer) > encoder_config.vocab_size:
    raise SystemExit(f'--tokenizer={FLAGS.tokenizer} has {len(tokenizer)} '
                     f'tokens, more than the model\'s vocab_size='
                     f'{encoder_config.vocab_size}: pass the model\'s own.')
  tokenizer.model_max_length = encoder_config.max_position_embeddings - 2
  tokenizer.save_pretrained(folder)
  return f', tokenizer {FLAGS.tokenizer}'


def _hf_model(encoder_config, encoder, task_model, head,
              task_model_fields=None):
  """The HF model holding our weights; every HF weight must be set."""
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  hf_class_name = task_heads.HF_CLASSES[head]
  fields = hf_config_lib.hf_config_from_encoder_config(encoder_config)
  fields['architectures'] = [hf_class_name]
  if head == task_heads.CLASSIFICATION:
    fields['num_labels'] = int(task_model.classifier.out_proj.units)
    fields.update(_label_fields(task_model_fields or {},
                                fields['num_labels']))
  model = getattr(transformers, hf_class_name)(
      transformers.LongformerConfig(**fields))
  weights = checkpoint_conversion.hf_weights_from_model(
      encoder, task_heads.head_weight_table(task_model, head) if head else ())
  if head == task_heads.MASKED_LM:
    weights = masked_lm_conversion.add_tied_weights(weights,
                                                    model.state_dict())
  missing, unexpected = model.load_state_dict(
      {k: torch.from_numpy(v) for k, v in weights.items()}, strict=False)
  missing = [k for k in missing if not k.endswith(
      checkpoint_conversion.BUFFERS_NOT_WEIGHTS)]
  if missing or unexpected:
    raise SystemExit(f'Export table does not cover {hf_class_name}: '
                     f'missing {missing}, unexpected {unexpected}.')
  return model.eval()


def main(argv):
  del argv
  if not FLAGS.output_dir:
    raise SystemExit('--output_dir is required.')
  output_dir = os.path.abspath(FLAGS.output_dir)
  try:
    staged_output.refuse_existing([output_dir], FLAGS.overwrite)
  except staged_output.OutputExistsError as e:
    raise SystemExit(str(e)) from e
  task_model_fields, path, head = _source()
  print(f'Restoring {path} ({task_heads.HF_CLASSES[head]}).', flush=True)
  encoder_config, encoder, task_model = _restore(task_model_fields, path,
                                                 head)
  hf_model = _hf_model(encoder_config, encoder, task_model, head,
                       task_model_fields)
  extras = ''
  with staged_output.staged(output_dir, ('*',), FLAGS.overwrite) as stage:
    hf_model.save_pretrained(stage.path)
    if FLAGS.tokenizer:
      extras = _save_tokenizer(encoder_config, stage.path)
    max_diff = conversion_check.compare_with_hf(
        encoder_config, encoder, task_model, head, stage.path,
        require_every_weight=True)
    if not max_diff <= FLAGS.tolerance:
      raise SystemExit(f'Export check FAILED: max abs diff {max_diff:.3g} > '
                       f'--tolerance={FLAGS.tolerance}. Nothing was written.')
    try:
      stage.publish()
    except staged_output.OutputExistsError as e:
      raise SystemExit(str(e)) from e
  labels = getattr(hf_model.config, 'id2label', None) or {}
  if head == task_heads.CLASSIFICATION:
    extras = f', labels {", ".join(labels.values())}{extras}'
  print(f'Exported {path} -> {output_dir} as {task_heads.HF_CLASSES[head]}'
        f'{extras}: reloaded with from_pretrained, max abs diff '
        f'{max_diff:.3g} <= {FLAGS.tolerance}.')


if __name__ == '__main__':
  app.run(main)
