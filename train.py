r"""Trains and evaluates Longformer experiments with Model Garden's driver.

The standard Model Garden flags (`--experiment --config_file
--params_override --mode --model_dir --tpu --gin_file --gin_params`) build
the `ExperimentConfig`; `train_lib.run_experiment` then runs orbit's
train / eval loop. A run restarted with the same `--model_dir` resumes from
its latest checkpoint and stops at `trainer.train_steps`.

Example (docs/training.md has the full MNLI recipe):

  python3 train.py --experiment=longformer/glue \
    --config_file=experiments/glue_mnli_allenai.yaml \
    --params_override="task.train_data.input_path=data/mnli_train.tf_record,\
task.validation_data.input_path=data/mnli_validation_matched.tf_record,\
task.init_checkpoint=longformer-4096/longformer" \
    --mode=train_and_eval --model_dir=/tmp/mnli

`runtime.distribution_strategy` picks `one_device`, `mirrored`,
`multi_worker_mirrored` (cluster from `TF_CONFIG`) or `tpu` (with `--tpu`);
`runtime.mixed_precision_dtype` is `bfloat16` or `float16` (the latter with
dynamic loss scaling unless `runtime.loss_scale` is a number).
"""
from typing import Any
from typing import Mapping
from typing import Optional
from typing import Tuple

from absl import app
from absl import flags
import gin
import tensorflow as tf
import tf_keras

from official.common import distribute_utils
from official.common import flags as tfm_flags
from official.core import config_definitions as cfg
from official.core import task_factory
from official.core import train_lib
from official.core import train_utils
from official.modeling import performance
# Registers `longformer/glue` and `longformer/pretraining` and binds the
# encoder config. Run as `python3 train.py`, this directory (the checkout) is
# first on sys.path, so no install is needed.
import longformer  # pylint: disable=unused-import

FLAGS = flags.FLAGS


def run(
    params: cfg.ExperimentConfig,
    model_dir: str,
    mode: str,
    strategy: Optional[tf.distribute.Strategy] = None,
) -> Tuple[tf_keras.Model, Mapping[str, Any]]:
  """Runs one experiment as Model Garden's `nlp/train.py` does.

  Args:
    params: the parsed, validated experiment config.
    model_dir: where params.yaml, checkpoints and summaries go; an existing
      checkpoint there is resumed.
    mode: `train`, `eval`, `train_and_eval` or `continuous_eval`.
    strategy: a distribution strategy to use instead of the one
      `params.runtime` describes (tests pass a two-device MirroredStrategy).

  Returns:
    The model and the last eval logs, from `train_lib.run_experiment`.
  """
  if 'train' in mode:
    # Eval-only jobs write no params.yaml, so a continuous eval job never
    # races the train job writing the same file.
    train_utils.serialize_config(params, model_dir)
  # bfloat16 suits TPUs, float16 GPUs; the optimizer gets loss scaling for
  # float16 in `Task.create_optimizer`.
  if params.runtime.mixed_precision_dtype:
    performance.set_mixed_precision_policy(params.runtime.mixed_precision_dtype)
  if strategy is None:
    strategy = distribute_utils.get_distribution_strategy(
        distribution_strategy=params.runtime.distribution_strategy,
        all_reduce_alg=params.runtime.all_reduce_alg,
        num_gpus=params.runtime.num_gpus,
        tpu_address=params.runtime.tpu,
        **params.runtime.model_parallelism())
  with strategy.scope():
    task = task_factory.get_task(params.task, logging_dir=model_dir)
  return train_lib.run_experiment(
      distribution_strategy=strategy,
      task=task,
      mode=mode,
      params=params,
      model_dir=model_dir)


def main(_):
  gin.parse_config_files_and_bindings(FLAGS.gin_file, FLAGS.gin_params)
  params = train_utils.parse_configuration(FLAGS)
  run(params, FLAGS.model_dir, FLAGS.mode)
  train_utils.save_gin_config(FLAGS.mode, FLAGS.model_dir)


if __name__ == '__main__':
  tfm_flags.define_flags()
  flags.mark_flags_as_required(['experiment', 'mode', 'model_dir'])
  app.run(main)
