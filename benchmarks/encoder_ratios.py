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

"""Derived numbers of the encoder benchmark: FLOPs, ratios, matmul fraction.

FLOPs per token (multiply-add = 2 FLOPs), D hidden size, I inner size,
W = attention_window / 2 the one-sided window, L layers:

  linear layers     2 * (4 * D * D + 2 * D * I)   q, k, v, output; FFN in, out
  windowed scores   2 * (2 * W + 1) * D            each query, 2W + 1 keys
  windowed context  2 * (2 * W + 1) * D            probs @ values
  forward           L * (sum of the above)
  train             3 * forward

For Longformer-base (D 768, I 3072, W 256) that is 15.7 MFLOP per token per
layer (14.2 linear, 1.6 windowed), 189 MFLOP per token for 12 layers: the
model's necessary work, the same for every implementation. Work an
implementation adds is not credited: HF's global key/value projections over
all tokens, the 3W keys per query of our blocks or HF's 4W chunks.
Embeddings, LayerNorm, softmax, GELU, the global rows' attention and the
pooler are left out. "of matmul" is FLOPs per token * tokens/s / (FLOP/s
of the yardstick matmul in the same dtype, the faster of its readings).

Ratios added to each ok run (same mode, length and dtype):
  ratio_to_hf        tokens/s / HF's; in bfloat16 the faster HF form;
  ratio_to_original  tokens/s / the original port's (under XLA);
  ratio_to_float32   a bfloat16 run's tokens/s / the same implementation's
                     float32 tokens/s (HF: float32 HF).
Results from before dtypes were recorded count as float32.
"""
from typing import Dict, Optional

import model_sizes
import report

TRAIN_FLOPS_FACTOR = 3  # Backward ~ 2x forward.


def flops_per_token(mode: str, num_layers: int,
                    attention_window: int) -> float:
  """Model FLOPs per token, as in the module docstring."""
  d, inner = model_sizes.HIDDEN_SIZE, model_sizes.INNER_DIM
  one_sided_window = attention_window // 2
  linear = 2 * (4 * d * d + 2 * d * inner)
  windowed = 2 * 2 * (2 * one_sided_window + 1) * d
  forward = num_layers * (linear + windowed)
  return forward * (TRAIN_FLOPS_FACTOR if mode == 'train' else 1)


def matmul_gflops(results: Dict[str, object]) -> Dict[str, float]:
  """dtype -> the faster reading of the yardstick matmul, GFLOP/s."""
  best = {}
  for m in results['matmul']:
    if m['status'] == 'ok':
      dtype = report.dtype_of(m)
      best[dtype] = max(best.get(dtype, 0.0), m['gflops'])
  return best


def fastest(results, impl: str) -> Dict[tuple, float]:
  """(mode, seq_length, dtype) -> the highest tokens/s of `impl`."""
  speeds = {}
  for r in results['runs']:
    if r['impl'] == impl and r['status'] == 'ok':
      key = (r['mode'], r['seq_length'], report.dtype_of(r))
      speeds[key] = max(speeds.get(key, 0.0), r['tokens_per_s'])
  return speeds


def float32_speeds(results) -> Dict[tuple, float]:
  """(family, mode, seq_length) -> tokens/s of a float32 run."""
  return {(report.family(r), r['mode'], r['seq_length']): r['tokens_per_s']
          for r in results['runs']
          if r['status'] == 'ok' and report.dtype_of(r) == 'float32'}


def ratio(value: float, reference: Optional[float]) -> Optional[float]:
  return value / reference if reference else None


def add_derived(results: Dict[str, object]) -> None:
  """Adds FLOPs, the matmul fraction and the ratios to every ok run."""
  gflops = matmul_gflops(results)
  results['matmul_gflops_by_dtype'] = gflops
  results['matmul_gflops'] = gflops.get('float32')
  results['forward_flops_per_token'] = flops_per_token(
      'forward', results['flags']['num_layers'],
      results['flags']['attention_window'])
  hf, original = fastest(results, 'hf'), fastest(results, 'original')
  float32 = float32_speeds(results)
  for r in results['runs']:
    if r['status'] != 'ok':
      continue
    dtype = report.dtype_of(r)
    r['flops_per_token'] = flops_per_token(r['mode'], r['num_layers'],
                                           r['attention_window'])
    if gflops.get(dtype):
      r['matmul_fraction'] = (r['flops_per_token'] * r['tokens_per_s'] /
                              (gflops[dtype] * 1e9))
    key = (r['mode'], r['seq_length'], dtype)
    if r['impl'] == 'ours':
      r['ratio_to_hf'] = ratio(r['tokens_per_s'], hf.get(key))
      r['ratio_to_original'] = ratio(r['tokens_per_s'], original.get(key))
    if dtype == 'bfloat16':
      r['ratio_to_float32'] = ratio(
          r['tokens_per_s'],
          float32.get((report.family(r), r['mode'], r['seq_length'])))
