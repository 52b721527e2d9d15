"""Silences one known-harmless training warning, and nothing else.

Model Garden's and Keras' optimizers log "Gradients do not exist for
variables [...]" for every variable whose gradient is None. For
`.../key_global/bias` that is exact, not a bug: a global query's scores are
`q . (Wk h + b)` over all keys, and `q . b` is the same for every key of that
query, so the softmax (invariant to adding one constant to all its scores)
removes it; the encoder never computes it and the gradient is exactly zero.
`install` removes those biases from the message's list and drops the message
only when nothing else is listed; any other variable still appears (e.g.
`pooler_transform` in `longformer/glue`, whose classifier has its own pooler
and never reads the encoder's `pooled_output`).
"""
import logging
from typing import List
from typing import Sequence

_MESSAGE_PREFIX = 'Gradients do not exist for variables'
_SHIFT_INVARIANT_SUFFIXES = ('key_global/bias:0', 'key_global/bias')
# tf_keras logs through TensorFlow's logger, Model Garden through absl's.
_LOGGERS = ('tensorflow', 'absl')


def _without_shift_invariant_biases(names: Sequence[str]) -> List[str]:
  return [name for name in names
          if not str(name).endswith(_SHIFT_INVARIANT_SUFFIXES)]


class _KeyGlobalBiasFilter(logging.Filter):
  """Removes key_global biases from the no-gradient warning's list."""

  def filter(self, record: logging.LogRecord) -> bool:
    if not str(record.msg).startswith(_MESSAGE_PREFIX):
      return True
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    if not (args and isinstance(args[0], (list, tuple))):
      return True
    others = _without_shift_invariant_biases(args[0])
    record.args = (others,) + tuple(args[1:])
    return bool(others)


def install() -> None:
  """Adds the filter to TensorFlow's and absl's loggers (idempotent)."""
  for name in _LOGGERS:
    logger = logging.getLogger(name)
    if not any(isinstance(f, _KeyGlobalBiasFilter) for f in logger.filters):
      logger.addFilter(_KeyGlobalBiasFilter())
