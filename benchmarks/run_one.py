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

r"""One benchmark measurement in a fresh process; prints one JSON line.

`benchmark_encoder.py` starts this script once per configuration, so every
peak-memory reading belongs to exactly one model, one mode, one dtype and
one length. It can also be run by hand:

  python3 benchmarks/run_one.py --impl=ours --mode=train --seq_length=1024 \
      --num_layers=2 --jit_compile --dtype=bfloat16 --measure_error \
      --repeats=1

Implementations (`--impl`):
  ours      `longformer.LongformerEncoder` in a `tf.function(jit_compile=...)`;
  hf        HF PyTorch `transformers.LongformerModel`, eager;
  original  Model Garden's original Longformer port from
            `--original_port_path` (see original_port.py) in a
            `tf.function(jit_compile=True)`;
  matmul    a [4096, 768] @ [768, 3072] matmul in TensorFlow in `--dtype`,
            the yardstick for "fraction of matmul throughput".

Dtypes (`--dtype`): float32, or bfloat16: ours and the original port under
the Keras `mixed_bfloat16` policy (float32 weights, bfloat16 compute; our
encoder keeps softmax and layer norms in float32), HF per `--hf_bf16`
(torch_steps.py: autocast or a bfloat16-cast model).

Every model uses Longformer-base sizes (hidden 768, 12 heads, inner 3072,
vocabulary 50265) with random weights, dropout 0, batch 1, the first token
global and every token real. Modes (`--mode`):
  forward  the encoder's forward pass (HF under `torch.no_grad()`);
  train    forward, loss = sum of sequence_output, and the gradients of the
           loss w.r.t. every trainable weight (HF: `loss.backward()`).

Both frameworks get `--threads` intra-op threads and one inter-op thread.
The process does one warm-up run (for XLA, it includes compilation) and then
`--repeats` timed runs; memory fields as in timing.py. With
`--measure_error` (bfloat16 only), after the timed runs the result also
holds `max_abs_diff_vs_float32`: the max abs difference of this model's
sequence_output to the same weights in float32 on the same inputs (ours and
the port: a float32 twin given the same weights; HF: the float32 model's
output taken before any cast).
"""
import inspect
import json
from typing import Dict, List, Optional

from absl import app
from absl import flags

import model_sizes
import tf_steps
import timing
import torch_steps

DTYPES = ('float32', 'bfloat16')
HF_BF16_MODES = ('autocast', 'cast')

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this script's flags (not on import: drivers import this)."""
  flags.DEFINE_enum('impl', 'ours', ['ours', 'hf', 'original', 'matmul'],
                    'What to measure.')
  flags.DEFINE_enum('mode', 'forward', ['forward', 'train'],
                    'forward: inference; train: forward + backward.')
  flags.DEFINE_enum('dtype', 'float32', list(DTYPES),
                    'bfloat16: mixed_bfloat16 (TF) or --hf_bf16 (HF).')
  flags.DEFINE_enum('hf_bf16', 'autocast', list(HF_BF16_MODES),
                    'HF in bfloat16: torch.autocast, or the model cast.')
  flags.DEFINE_bool('measure_error', False,
                    'bfloat16: also report max_abs_diff_vs_float32.')
  flags.DEFINE_string('original_port_path', '',
                      "--impl=original: the folder of Model Garden's "
                      'original port (see original_port.py).')
  flags.DEFINE_integer('seq_length', 512, 'Tokens per sequence (batch 1).')
  flags.DEFINE_integer('num_layers', 12, 'Transformer blocks.')
  flags.DEFINE_integer('attention_window', 512,
                       'The full, even window (each side sees half of it).')
  flags.DEFINE_bool('jit_compile', True, 'ours: compile with XLA.')
  flags.DEFINE_bool('gradient_checkpointing', False,
                    'ours: recompute each layer in the backward pass.')
  flags.DEFINE_enum('global_tokens', 'first', ['first', 'marked'],
                    "ours: 'first' = the first --global_count tokens are "
                    "global; 'marked' = --global_count tokens spread through "
                    'the sequence are marked with input_mask 2.')
  flags.DEFINE_integer('global_count', model_sizes.GLOBAL_ATTENTION_SIZE,
                       'Global tokens (and global slots) per sequence.')
  flags.DEFINE_integer('repeats', 3, 'Timed runs after the warm-up.')
  flags.DEFINE_integer('threads', 2, 'Intra-op threads for either framework.')
  flags.DEFINE_integer('seed', 0, 'Seed for weights and token ids.')


def unsupported_reason() -> Optional[str]:
  """Why this configuration cannot run, or None if it can."""
  if FLAGS.measure_error and FLAGS.dtype == 'float32':
    return '--measure_error compares bfloat16 with float32: use bfloat16'
  if FLAGS.impl == 'original' and not FLAGS.original_port_path:
    return '--impl=original needs --original_port_path'
  if FLAGS.impl != 'ours' or not FLAGS.gradient_checkpointing:
    return None
  import longformer  # pylint: disable=g-import-not-at-top
  parameters = inspect.signature(longformer.LongformerEncoder).parameters
  if 'gradient_checkpointing' in parameters:
    return None
  return 'LongformerEncoder has no gradient_checkpointing argument yet'


def measure_matmul() -> Dict[str, object]:
  """Times the yardstick matmul; returns its run times and GFLOP/s."""
  result = timing.time_runs(tf_steps.matmul_step(FLAGS), FLAGS.repeats)
  m, k, n = model_sizes.MATMUL_SHAPE
  result['gflops'] = 2 * m * k * n / result['median_s'] / 1e9
  return result


def measure_model() -> Dict[str, object]:
  """Builds the model named by --impl, times its step, checks precision."""
  builders = {'ours': tf_steps.ours_step, 'hf': torch_steps.hf_step,
              'original': tf_steps.original_step}
  step = builders[FLAGS.impl](FLAGS)
  result = timing.time_runs(step.run, FLAGS.repeats)
  result['tokens_per_s'] = FLAGS.seq_length / result['median_s']
  if FLAGS.measure_error:
    result['max_abs_diff_vs_float32'] = step.max_abs_diff_vs_float32()
  return result


def describe_run() -> Dict[str, object]:
  """The flags that identify this measurement in its JSON line."""
  if FLAGS.impl == 'matmul':
    return {'impl': 'matmul', 'dtype': FLAGS.dtype,
            'shape': list(model_sizes.MATMUL_SHAPE)}
  description = {'impl': FLAGS.impl, 'mode': FLAGS.mode,
                 'dtype': FLAGS.dtype, 'seq_length': FLAGS.seq_length,
                 'num_layers': FLAGS.num_layers,
                 'attention_window': FLAGS.attention_window}
  if FLAGS.impl == 'hf' and FLAGS.dtype == 'bfloat16':
    description['hf_bf16'] = FLAGS.hf_bf16
  if FLAGS.impl == 'original':
    description['jit_compile'] = True
  if FLAGS.impl == 'ours':
    description.update(jit_compile=FLAGS.jit_compile,
                       gradient_checkpointing=FLAGS.gradient_checkpointing,
                       global_tokens=FLAGS.global_tokens,
                       global_count=FLAGS.global_count)
  return description


def main(argv: List[str]) -> None:
  del argv
  result = describe_run()
  skip_reason = None if FLAGS.impl == 'matmul' else unsupported_reason()
  if skip_reason:
    result.update(status='unsupported', error=skip_reason)
  elif FLAGS.impl == 'matmul':
    result.update(status='ok', **measure_matmul())
  else:
    result.update(status='ok', **measure_model())
  print(json.dumps(result), flush=True)


if __name__ == '__main__':
  define_flags()
  app.run(main)
