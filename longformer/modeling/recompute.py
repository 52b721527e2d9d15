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

"""Recompute a function in the backward pass: XLA, bfloat16 and SavedModel safe.

Wraps Model Garden's XLA-compatible `recompute_grad` (BigBird project), which
re-runs the function in the backward pass with the same seed, so Model
Garden's `RecomputingDropout` draws the same masks as in the forward pass.
Two of its defaults break advertised paths, and this wrapper avoids both:

- With no seed it draws one from TF's global random generator, whose state
  variable is then captured by the traced function: a Keras model holding it
  cannot be saved as a SavedModel. Here the seed comes from a stateless-of-
  variables random op in the same trace.
- Under XLA it ties the backward pass to the output gradients through
  `np.finfo(dtype).tiny`, which NumPy cannot compute for bfloat16. Here the
  wrapped function's output is float32 inside the wrapper and cast back.
"""
from typing import Callable

import tensorflow as tf

from official.projects.bigbird import recompute_grad

_MAX_SEED = 2**31 - 1


def draw_seed() -> tf.Tensor:
  """A fresh int32 scalar seed for one forward pass and its recomputation."""
  return tf.random.uniform([], maxval=_MAX_SEED, dtype=tf.int32)


def recompute_in_backward(fn: Callable[..., tf.Tensor]
                          ) -> Callable[..., tf.Tensor]:
  """Returns `fn` recomputed (not stored) for its gradient.

  Args:
    fn: takes tensors (and may read variables) and returns one float tensor.

  Returns:
    A function with `fn`'s signature and outputs (same dtype).
  """

  def wrapped(*args):
    seed = draw_seed()
    out_dtype = []

    def as_float32(*inner_args):
      out = fn(*inner_args)
      out_dtype.append(out.dtype)
      return tf.cast(out, tf.float32)

    out = recompute_grad.recompute_grad(as_float32, seed=seed)(*args)
    return tf.cast(out, out_dtype[0])

  return wrapped
