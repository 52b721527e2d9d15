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

"""Tiny `longformer/glue` settings and data shared by the training tests.

The data are the offline demo's (utils/make_demo_data.py) at 64 tokens:
ragged padding, so no test sees only an all-zero mask.
"""
import copy
import os
import sys
from typing import Any
from typing import Dict
from typing import Tuple

REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_DIR not in sys.path:
  sys.path.insert(0, REPO_DIR)

from utils import make_demo_data  # pylint: disable=g-import-not-at-top

SEQ_LENGTH = 64
BATCH_SIZE = 8

# hidden <= 32, 2 layers, T = 64: small enough for fast unit tests. Window 8 and
# global size 1 keep both attention paths in play.
ENCODER = {
    'vocab_size': 64,
    'hidden_size': 32,
    'num_layers': 2,
    'num_attention_heads': 2,
    'intermediate_size': 64,
    'max_position_embeddings': SEQ_LENGTH + 2,  # ids start at pad_id + 1 = 2
    'type_vocab_size': 1,
    'attention_window': [8],
    'global_attention_size': 1,
}


def write_records(directory: str) -> Tuple[str, str]:
  """Writes tiny demo train / eval TFRecords; returns their paths."""
  kwargs = dict(seq_length=SEQ_LENGTH, min_length=40, min_marker_position=16,
                num_markers=4, vocab_size=ENCODER['vocab_size'])
  train_path = os.path.join(directory, 'train.tf_record')
  eval_path = os.path.join(directory, 'eval.tf_record')
  make_demo_data.write_split(train_path, 64, seed=0, **kwargs)
  make_demo_data.write_split(eval_path, 2 * BATCH_SIZE, seed=1, **kwargs)
  return train_path, eval_path


def glue_overrides(train_path: str, eval_path: str,
                   train_steps: int = 2) -> Dict[str, Any]:
  """`longformer/glue` overrides for a tiny two-class run on `write_records`."""
  return {
      'task': {
          'model': {
              'num_classes': 2,
              'encoder': {'type': 'any', 'any': copy.deepcopy(ENCODER)},
          },
          'train_data': {
              'input_path': train_path,
              'global_batch_size': BATCH_SIZE,
              'seq_length': SEQ_LENGTH,
          },
          'validation_data': {
              'input_path': eval_path,
              'global_batch_size': BATCH_SIZE,
              'seq_length': SEQ_LENGTH,
          },
      },
      'trainer': {
          'train_steps': train_steps,
          'steps_per_loop': 1,
          'summary_interval': 1,
          'checkpoint_interval': 1,
          'validation_interval': train_steps,
          'validation_steps': 2,
          'optimizer_config': {
              'learning_rate': {'polynomial': {'decay_steps': train_steps}},
              'warmup': {'polynomial': {'warmup_steps': 1}},
          },
      },
  }


class _Flags(dict):
  """absl's FlagValues as Model Garden's parser reads it: `in` and `.name`."""
  __getattr__ = dict.__getitem__


def parse_params(overrides: Dict[str, Any],
                 experiment: str = 'longformer/glue'):
  """The config train.py parses from `--experiment` and `--params_override`.

  Calls Model Garden's `train_utils.parse_configuration`, as train.py's
  `main` does, with the flags as attributes.
  """
  # pylint: disable=g-import-not-at-top
  import json
  from official.core import train_utils
  import longformer  # pylint: disable=unused-import
  # pylint: enable=g-import-not-at-top
  flags_obj = _Flags(
      experiment=experiment, config_file=None,
      params_override=json.dumps(overrides), tpu=None, tf_data_service=None)
  return train_utils.parse_configuration(flags_obj, print_return=False)


def run_train(model_dir: str, overrides: Dict[str, Any],
              mode: str = 'train') -> None:
  """Runs train.py in this process: `train.run_with_checks`, as `main` does.

  Asynchronous checkpointing is off, so every checkpoint is on disk when
  this returns.
  """
  import train  # pylint: disable=g-import-not-at-top
  train.run_with_checks(parse_params(overrides), model_dir, mode,
                        enable_async_checkpointing=False)
