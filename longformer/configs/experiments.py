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

"""Model Garden experiments `longformer/glue` and `longformer/pretraining`.

Importing this module (which `import longformer` does) registers both with
`exp_factory`, so `train.py --experiment=longformer/glue` finds them. Each
experiment holds defaults only; the recipes (sizes, steps, data paths) live in
the YAML files under `experiments/`.

The task modules (Model Garden's and ours, which import tensorflow_hub) are
imported inside each experiment function, when its config is built: so
importing `longformer` (or any of its data modules) registers the
experiments without loading Model Garden's tasks.

Both use Model Garden's AdamW (`_adamw_linear_schedule`): beta_1 0.9,
beta_2 0.999, epsilon 1e-6, weight decay 0.01 on every variable except
LayerNorm parameters and biases, a polynomial (power 1, i.e. linear) warmup,
then a linear decay to zero. This is not RoBERTa's pretraining optimizer
(beta_2 0.98); its docstring says where each value comes from.
"""
from official.core import config_definitions as cfg
from official.core import exp_factory
from official.modeling import optimization
from official.nlp.configs import encoders
from longformer.configs import encoder_config as config_lib

# Variables whose name contains one of these get no weight decay.
_NO_WEIGHT_DECAY = ['LayerNorm', 'layer_norm', 'bias']

# Every experiment requires the data configs to say whether they train; a
# validation set that shuffles and repeats would never end.
_RESTRICTIONS = [
    'task.train_data.is_training != None',
    'task.validation_data.is_training != None',
]


def _adamw_linear_schedule(
    initial_learning_rate: float, decay_steps: int,
    warmup_steps: int) -> optimization.OptimizationConfig:
  """AdamW (decay 0.01, no decay on norms and biases) with warmup and decay.

  The betas are those of allenai/longformer's fine-tuning script
  (scripts/classification.py builds HF `AdamW` with its default betas
  (0.9, 0.999) and a linear schedule with 10% warmup), which are also Model
  Garden's BERT defaults. RoBERTa (Liu et al. 2019) pretrained with beta_2 0.98
  for stability at very large batches; we keep 0.999 for both experiments
  (override `trainer.optimizer_config.optimizer.adamw.beta_2` for RoBERTa's).
  Epsilon 1e-6 is RoBERTa's (allenai's script: 1e-8); weight decay 0.01 is
  BERT's and Model Garden's (allenai's script defaults to 0).

  Args:
    initial_learning_rate: the peak learning rate, reached after warmup.
    decay_steps: steps over which the rate falls linearly to 0; YAML files set
      it to `trainer.train_steps`.
    warmup_steps: steps of linear warmup from 0 to the peak.

  Returns:
    The `OptimizationConfig`.
  """
  return optimization.OptimizationConfig(
      optimizer=optimization.OptimizerConfig(
          type='adamw',
          adamw=optimization.AdamWeightDecayConfig(
              beta_1=0.9,
              beta_2=0.999,
              weight_decay_rate=0.01,
              exclude_from_weight_decay=list(_NO_WEIGHT_DECAY),
              epsilon=1e-6)),
      learning_rate=optimization.LrConfig(
          type='polynomial',
          polynomial=optimization.PolynomialLrConfig(
              initial_learning_rate=initial_learning_rate,
              decay_steps=decay_steps,
              end_learning_rate=0.0,
              power=1.0)),
      warmup=optimization.WarmupConfig(
          type='polynomial',
          polynomial=optimization.PolynomialWarmupConfig(
              warmup_steps=warmup_steps, power=1.0)))


def _longformer_encoder() -> encoders.EncoderConfig:
  """The Model Garden encoder config holding a default Longformer encoder."""
  return encoders.EncoderConfig(
      type='any', any=config_lib.LongformerEncoderConfig())


@exp_factory.register_config_factory('longformer/glue')
def longformer_glue() -> cfg.ExperimentConfig:
  """Fine-tunes a Longformer classifier on one GLUE task (or any pair task).

  Model Garden's sentence prediction task: the first token's final hidden
  state goes through a pooler and a linear layer. Data are TFRecords with
  Model Garden's sentence prediction features, as
  `utils/longformer_tokenizer_to_tfrecord.py` writes them. The learning rate
  is the Longformer paper's 3e-5; YAML files set the number of classes,
  sequence length, steps and paths.
  """
  # pylint: disable=g-import-not-at-top
  from official.nlp.data import sentence_prediction_dataloader
  from official.nlp.tasks import sentence_prediction
  # pylint: enable=g-import-not-at-top
  return cfg.ExperimentConfig(
      task=sentence_prediction.SentencePredictionConfig(
          model=sentence_prediction.ModelConfig(
              encoder=_longformer_encoder()),
          train_data=sentence_prediction_dataloader
          .SentencePredictionDataConfig(),
          validation_data=sentence_prediction_dataloader
          .SentencePredictionDataConfig(
              is_training=False, drop_remainder=False)),
      trainer=cfg.TrainerConfig(
          optimizer_config=_adamw_linear_schedule(
              initial_learning_rate=3e-5, decay_steps=10000,
              warmup_steps=1000)),
      restrictions=list(_RESTRICTIONS))


@exp_factory.register_config_factory('longformer/pretraining')
def longformer_pretraining() -> cfg.ExperimentConfig:
  """Pretrains a Longformer encoder with masked language modelling only.

  Like RoBERTa and the Longformer paper there is no next-sentence head, so
  the data config does not read `next_sentence_labels`. The masked-LM head
  is RoBERTa's (exact GELU, LayerNorm epsilon 1e-5), so a head converted
  from HF restores with HF's logits. Data are Model Garden's BERT pretraining
  TFRecords, as `utils/create_pretraining_data.py` writes them. The
  schedule defaults are BERT-base's (peak 1e-4, 10,000 warmup steps,
  1,000,000 steps).
  """
  # pylint: disable=g-import-not-at-top
  from official.nlp.data import pretrain_dataloader
  from longformer.tasks import masked_lm as longformer_masked_lm
  # pylint: enable=g-import-not-at-top
  return cfg.ExperimentConfig(
      task=longformer_masked_lm.LongformerMaskedLMConfig(
          model=longformer_masked_lm.RobertaPretrainerConfig(
              encoder=_longformer_encoder(), cls_heads=[]),
          train_data=pretrain_dataloader.BertPretrainDataConfig(
              use_next_sentence_label=False),
          validation_data=pretrain_dataloader.BertPretrainDataConfig(
              use_next_sentence_label=False, is_training=False,
              drop_remainder=False)),
      trainer=cfg.TrainerConfig(
          train_steps=1000000,
          optimizer_config=_adamw_linear_schedule(
              initial_learning_rate=1e-4, decay_steps=1000000,
              warmup_steps=10000)),
      restrictions=list(_RESTRICTIONS))


@exp_factory.register_config_factory('longformer/squad')
def longformer_squad() -> cfg.ExperimentConfig:
  """Fine-tunes a Longformer span labeler on SQuAD-format data.

  Model Garden's question answering task (`BertSpanLabeler`: start and end
  logits from a linear layer over every token) with its evaluation reading
  the windows and character offsets `utils/squad_to_tfrecord.py` wrote
  (`longformer.tasks.question_answering`). That tool marks `<s>` and the
  question tokens global with `input_mask` 2, so the encoder reads marks
  (`global_tokens: marked`) in up to 65 slots: `<s>` + a 64-token question,
  the tool's default `--max_query_length`.
  The learning rate is the Longformer paper's 3e-5; YAML files set sizes,
  steps and paths.
  """
  # pylint: disable=g-import-not-at-top
  from official.nlp.data import question_answering_dataloader
  from official.nlp.tasks import question_answering
  from longformer.tasks import question_answering as qa_task
  # pylint: enable=g-import-not-at-top
  return cfg.ExperimentConfig(
      task=qa_task.LongformerQuestionAnsweringConfig(
          model=question_answering.ModelConfig(
              encoder=encoders.EncoderConfig(
                  type='any', any=config_lib.LongformerEncoderConfig(
                      global_tokens='marked', global_attention_size=65))),
          train_data=question_answering_dataloader.QADataConfig(),
          validation_data=question_answering_dataloader.QADataConfig(
              is_training=False, drop_remainder=False)),
      trainer=cfg.TrainerConfig(
          optimizer_config=_adamw_linear_schedule(
              initial_learning_rate=3e-5, decay_steps=10000,
              warmup_steps=1000)),
      restrictions=list(_RESTRICTIONS))
