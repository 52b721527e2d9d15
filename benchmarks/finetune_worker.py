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

r"""One fine-tuning step measurement in a fresh process; prints one JSON line.

`benchmark_finetune.py` starts this script once per configuration.

  ours  Model Garden's `SentencePredictionTask` built from our registered
        `longformer/glue` experiment overridden by `--config_file` (a recipe
        under experiments/), its model, loss and optimizer (AdamW with weight
        decay from Model Garden's optimizer factory, `Task.create_optimizer`),
        and the metrics as train.py builds them. `--ours_step`:
          trainer  Model Garden's `base_trainer.Trainer.train` for one step:
                   the orbit loop in a `tf.function`, `Task.train_step` under
                   the distribution strategy train.py creates. This is what
                   train.py runs on a CPU: the trainer compiles the step with
                   XLA only when `runtime.enable_xla` is set and GPUs are
                   used.
          xla      `Task.train_step` in a `tf.function(jit_compile=True)`
                   (no distribution strategy, no orbit loop): not reachable
                   through train.py on a CPU; measured for comparison.
        bfloat16: `runtime.mixed_precision_dtype=bfloat16`, as train.py sets
        it (the mixed_bfloat16 Keras policy).
  hf    HF PyTorch `LongformerForSequenceClassification` (dropout 0.1 and a
        4098-row position table like the recipes), `torch.optim.AdamW` with the same learning rate, betas,
        epsilon and weight decay (none on biases and LayerNorm weights),
        HF's linear warmup/decay schedule, cross-entropy loss on the labels;
        one step = zero_grad, forward, backward, optimizer and schedule step.
        bfloat16: `torch.autocast('cpu', dtype=torch.bfloat16)` around the
        forward pass and loss.

Inputs: `--batch_size` rows of `--seq_length` random real tokens, the first
token global, random labels in [0, `--num_classes`). One warm-up step, then
`--repeats` timed steps (median); memory fields as in timing.py.
"""
import json
from typing import Callable, Dict, List

from absl import app
from absl import flags

import model_sizes
import timing

FLAGS = flags.FLAGS
flags.DEFINE_enum('impl', 'ours', ['ours', 'hf'], 'What to measure.')
flags.DEFINE_enum('ours_step', 'trainer', ['trainer', 'xla'],
                  'ours: through Model Garden\'s trainer, or XLA-compiled.')
flags.DEFINE_enum('dtype', 'float32', ['float32', 'bfloat16'],
                  'bfloat16: mixed_bfloat16 (ours), autocast (HF).')
flags.DEFINE_string('config_file', '', 'ours: the recipe YAML.')
flags.DEFINE_integer('seq_length', 512, 'Tokens per row.')
flags.DEFINE_integer('attention_window', 128, 'The full, even window.')
flags.DEFINE_integer('num_classes', 3, 'Classifier outputs.')
flags.DEFINE_integer('batch_size', 8, 'Rows per step.')
flags.DEFINE_integer('num_layers', 12, 'Transformer blocks.')
flags.DEFINE_integer('max_position_embeddings', 4098,
                     "hf: position-table rows; the recipes' (4096 + 2), so "
                     'both sides update tables of the same size.')
flags.DEFINE_float('learning_rate', 3e-5, 'hf: peak learning rate.')
flags.DEFINE_float('weight_decay', 0.01, 'hf: AdamW weight decay.')
flags.DEFINE_float('epsilon', 1e-6, 'hf: AdamW epsilon.')
flags.DEFINE_list('betas', ['0.9', '0.999'], 'hf: AdamW betas.')
flags.DEFINE_integer('warmup_steps', 0, 'hf: linear warmup steps.')
flags.DEFINE_integer('decay_steps', 1000, 'hf: steps to decay to 0.')
flags.DEFINE_integer('repeats', 3, 'Timed steps after the warm-up.')
flags.DEFINE_integer('threads', 2, 'Intra-op threads for either framework.')
flags.DEFINE_integer('seed', 0, 'Seed for weights, tokens and labels.')


def ours_params():
  """The experiment config: longformer/glue + the recipe + these sizes."""
  from official.core import exp_factory  # pylint: disable=g-import-not-at-top
  # pylint: disable-next=g-import-not-at-top
  from official.modeling.hyperparams import params_dict
  import longformer  # pylint: disable=g-import-not-at-top,unused-import
  params = exp_factory.get_exp_config('longformer/glue')
  params = params_dict.override_params_dict(params, FLAGS.config_file,
                                            is_strict=True)
  params.override({
      'task': {'model': {'num_classes': FLAGS.num_classes, 'encoder': {
          'any': {'num_layers': FLAGS.num_layers,
                  'attention_window': [FLAGS.attention_window]}}},
               'train_data': {'seq_length': FLAGS.seq_length,
                              'global_batch_size': FLAGS.batch_size}},
      'runtime': {'mixed_precision_dtype': (
          'bfloat16' if FLAGS.dtype == 'bfloat16' else None)}},
                  is_strict=True)
  return params


def ours_batch(tf) -> Dict[str, object]:
  """Features and labels as Model Garden's sentence prediction data."""
  shape = (FLAGS.batch_size, FLAGS.seq_length)
  return {
      'input_word_ids': tf.random.stateless_uniform(
          shape, (FLAGS.seed, 1), model_sizes.PAD_TOKEN_ID + 1,
          model_sizes.VOCAB_SIZE, tf.int32),
      'input_mask': tf.ones(shape, tf.int32),
      'input_type_ids': tf.zeros(shape, tf.int32),
      'label_ids': tf.random.stateless_uniform(
          (FLAGS.batch_size,), (FLAGS.seed, 2), 0, FLAGS.num_classes,
          tf.int32)}


def ours_step() -> Callable[[], None]:
  """Builds the task, model and optimizer as train.py does; one step."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
  tf.config.threading.set_inter_op_parallelism_threads(1)
  from official.core import base_trainer  # pylint: disable=g-import-not-at-top
  # pylint: disable-next=g-import-not-at-top
  from official.modeling import performance
  import train as train_script  # pylint: disable=g-import-not-at-top
  tf.random.set_seed(FLAGS.seed)
  params = ours_params()
  if params.runtime.mixed_precision_dtype:
    performance.set_mixed_precision_policy(
        params.runtime.mixed_precision_dtype)
  batch = ours_batch(tf)
  # train.py's own strategy and task factory (metrics built under the
  # float32 policy), so the step is the one train.py runs.
  strategy = (train_script.create_strategy(params)
              if FLAGS.ours_step == 'trainer'
              else tf.distribute.get_strategy())
  with strategy.scope():
    task = train_script.create_task(params, None)
    model = task.build_model()
    optimizer = task.create_optimizer(params.trainer.optimizer_config,
                                      params.runtime)
  if FLAGS.ours_step == 'xla':
    metrics = task.build_metrics(training=True)
    step = tf.function(
        lambda: task.train_step(batch, model, optimizer, metrics)[task.loss],
        jit_compile=True)
    return lambda: step().numpy()
  dataset = tf.data.Dataset.from_tensors(batch).repeat()
  with strategy.scope():  # As train_lib.run_experiment creates its trainer.
    trainer = base_trainer.Trainer(
        params, task, model=model, optimizer=optimizer, train=True,
        evaluate=False,
        train_dataset=strategy.experimental_distribute_dataset(dataset))
  one_step = tf.constant(1, tf.int32)
  return lambda: trainer.train(one_step)


def hf_optimizer(torch, model):
  """AdamW with weight decay on every weight but biases and LayerNorm's."""
  no_decay = ('bias', 'LayerNorm.weight')
  groups = [
      {'params': [p for n, p in model.named_parameters()
                  if not n.endswith(no_decay)],
       'weight_decay': FLAGS.weight_decay},
      {'params': [p for n, p in model.named_parameters()
                  if n.endswith(no_decay)],
       'weight_decay': 0.0}]
  return torch.optim.AdamW(groups, lr=FLAGS.learning_rate,
                           betas=tuple(map(float, FLAGS.betas)),
                           eps=FLAGS.epsilon)


def hf_step() -> Callable[[], None]:
  """Builds HF's classifier, AdamW and schedule; returns one step."""
  import contextlib  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(FLAGS.threads)
  torch.manual_seed(FLAGS.seed)
  config = transformers.LongformerConfig(
      vocab_size=model_sizes.VOCAB_SIZE,
      hidden_size=model_sizes.HIDDEN_SIZE,
      num_hidden_layers=FLAGS.num_layers,
      num_attention_heads=model_sizes.NUM_HEADS,
      intermediate_size=model_sizes.INNER_DIM,
      attention_window=FLAGS.attention_window,
      max_position_embeddings=FLAGS.max_position_embeddings,
      type_vocab_size=1, pad_token_id=model_sizes.PAD_TOKEN_ID,
      num_labels=FLAGS.num_classes)
  model = transformers.LongformerForSequenceClassification(config).train()
  optimizer = hf_optimizer(torch, model)
  schedule = transformers.get_linear_schedule_with_warmup(
      optimizer, FLAGS.warmup_steps, FLAGS.decay_steps)
  shape = (FLAGS.batch_size, FLAGS.seq_length)
  word_ids = torch.randint(model_sizes.PAD_TOKEN_ID + 1,
                           model_sizes.VOCAB_SIZE, shape)
  global_mask = torch.zeros(shape, dtype=torch.long)
  global_mask[:, 0] = 1
  inputs = dict(input_ids=word_ids, attention_mask=torch.ones_like(word_ids),
                global_attention_mask=global_mask,
                token_type_ids=torch.zeros_like(word_ids),
                labels=torch.randint(0, FLAGS.num_classes,
                                     (FLAGS.batch_size,)))
  autocast = (torch.autocast('cpu', dtype=torch.bfloat16)
              if FLAGS.dtype == 'bfloat16' else contextlib.nullcontext())

  def step():
    optimizer.zero_grad(set_to_none=True)
    with autocast:
      loss = model(**inputs).loss
    loss.backward()
    optimizer.step()
    schedule.step()

  return step


def main(argv: List[str]) -> None:
  del argv
  result = {'impl': FLAGS.impl, 'dtype': FLAGS.dtype,
            'seq_length': FLAGS.seq_length,
            'attention_window': FLAGS.attention_window,
            'num_classes': FLAGS.num_classes,
            'batch_size': FLAGS.batch_size, 'num_layers': FLAGS.num_layers}
  if FLAGS.impl == 'ours':
    result['ours_step'] = FLAGS.ours_step
  step = ours_step() if FLAGS.impl == 'ours' else hf_step()
  result.update(status='ok', **timing.time_runs(step, FLAGS.repeats))
  result['tokens_per_s'] = (FLAGS.batch_size * FLAGS.seq_length /
                            result['median_s'])
  print(json.dumps(result), flush=True)


if __name__ == '__main__':
  app.run(main)
