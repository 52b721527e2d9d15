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

"""Silences one known-harmless training warning, and nothing else.

Model Garden's and Keras' optimizers log "Gradients do not exist for
variables [...]" for every variable whose gradient is None. Two are known
and harmless:
- `.../key_global/bias`: a global query's scores are `q . (Wk h + b)` over
  all keys, and `q . b` is the same for every key of that query, so the
  softmax (invariant to adding one constant to all its scores) removes it;
  the encoder never computes it and the gradient is exactly zero.
- the encoder's `pooler_transform/{kernel,bias}`: the task heads of
  `longformer/glue` (a classifier with its own pooler), `longformer/squad`
  (a span labeler) and `longformer/pretraining` without `cls_heads` never
  read `pooled_output`, so the pooler is unused, as in Model Garden's BERT.
  A head that reads it gives it a gradient, and then it is never listed.
`install` removes those variables from the message's list and drops the
message only when nothing else is listed; any other variable still appears.
"""
import logging
from typing import List
from typing import Sequence

_MESSAGE_PREFIX = 'Gradients do not exist for variables'
_KNOWN_SUFFIXES = ('key_global/bias:0', 'key_global/bias',
                   'pooler_transform/kernel:0', 'pooler_transform/kernel',
                   'pooler_transform/bias:0', 'pooler_transform/bias')
# tf_keras logs through TensorFlow's logger, Model Garden through absl's.
_LOGGERS = ('tensorflow', 'absl')


def _without_known(names: Sequence[str]) -> List[str]:
  return [name for name in names if not str(name).endswith(_KNOWN_SUFFIXES)]


class _KeyGlobalBiasFilter(logging.Filter):
  """Removes the known variables from the no-gradient warning's list."""

  def filter(self, record: logging.LogRecord) -> bool:
    if not str(record.msg).startswith(_MESSAGE_PREFIX):
      return True
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    if not (args and isinstance(args[0], (list, tuple))):
      return True
    others = _without_known(args[0])
    record.args = (others,) + tuple(args[1:])
    return bool(others)


def install() -> None:
  """Adds the filter to TensorFlow's and absl's loggers (idempotent)."""
  for name in _LOGGERS:
    logger = logging.getLogger(name)
    if not any(isinstance(f, _KeyGlobalBiasFilter) for f in logger.filters):
      logger.addFilter(_KeyGlobalBiasFilter())
