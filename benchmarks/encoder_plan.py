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

"""Which `run_one.py` workers `benchmark_encoder.py` runs, in which order.

`args` is benchmark_encoder.py's parsed flags. Within each mode, length and
dtype the implementations alternate (ours, HF, the original port, ours, ...)
so that load drift hits all of them. Lengths run shortest first, so the
memory guard (memory_guard.py) can project a length from the shorter ones.
"""
import dataclasses
from typing import List, Sequence

JIT_SETTINGS = {'on': [True], 'off': [False], 'both': [True, False]}


@dataclasses.dataclass(frozen=True)
class Run:
  """One worker's configuration."""
  impl: str  # 'ours', 'hf', 'original' or 'matmul'.
  mode: str = 'forward'
  seq_length: int = 0
  jit_compile: bool = True
  gradient_checkpointing: bool = False
  repeats: int = 1
  dtype: str = 'float32'
  hf_bf16: str = ''  # HF in bfloat16: 'autocast' or 'cast'.
  measure_error: bool = False

  def worker_args(self, args) -> List[str]:
    """The run_one.py flags for this run."""
    worker = [f'--impl={self.impl}', f'--repeats={self.repeats}',
              f'--threads={args.threads}', f'--dtype={self.dtype}']
    if self.impl != 'matmul':
      worker += [f'--mode={self.mode}', f'--seq_length={self.seq_length}',
                 f'--num_layers={args.num_layers}',
                 f'--attention_window={args.attention_window}',
                 f'--measure_error={self.measure_error}']
    if self.impl == 'ours':
      worker += [f'--jit_compile={self.jit_compile}',
                 f'--gradient_checkpointing={self.gradient_checkpointing}']
    if self.hf_bf16:
      worker.append(f'--hf_bf16={self.hf_bf16}')
    if self.impl == 'original':
      worker.append(f'--original_port_path={args.original_port_path}')
    return worker


def interleave(groups: Sequence[List[Run]]) -> List[Run]:
  """groups[0][0], groups[1][0], ..., groups[0][1], groups[1][1], ..."""
  runs = []
  for i in range(max(len(group) for group in groups)):
    for group in groups:
      runs += group[i:i + 1]
  return runs


def ours_runs(args, mode: str, seq_length: int, repeats: int, dtype: str,
              with_checkpointing: bool) -> List[Run]:
  """Ours at every --jit_compile setting, plus checkpointing if asked."""
  checkpointing = [False]
  if with_checkpointing and mode == 'train':
    checkpointing.append(True)
  error = args.measure_error and dtype == 'bfloat16' and mode == 'forward'
  return [Run('ours', mode, seq_length, jit, ckpt, repeats, dtype,
              measure_error=error)
          for ckpt in checkpointing
          for jit in JIT_SETTINGS[args.jit_compile]]


def peer_runs(args, mode: str, seq_length: int, repeats: int,
              dtype: str) -> List[List[Run]]:
  """HF (each --hf_bf16 form in bfloat16) and the original port if given."""
  error = args.measure_error and dtype == 'bfloat16' and mode == 'forward'
  forms = args.hf_bf16 if dtype == 'bfloat16' else ['']
  hf = [Run('hf', mode, seq_length, repeats=repeats, dtype=dtype,
            hf_bf16=form, measure_error=error) for form in forms]
  original = []
  if args.original_port_path:
    original = [Run('original', mode, seq_length, repeats=repeats,
                    dtype=dtype)]
  return [hf, original]


def speed_runs(args) -> List[Run]:
  """Every implementation, mode and dtype at the speed lengths."""
  runs = []
  for mode in args.modes:
    for seq_length in sorted(map(int, args.seq_lengths)):
      for dtype in args.dtypes:
        ours = ours_runs(args, mode, seq_length, args.repeats, dtype,
                         args.gradient_checkpointing)
        runs += interleave(
            [ours] + peer_runs(args, mode, seq_length, args.repeats, dtype))
  return runs


def memory_runs(args) -> List[Run]:
  """Ours (HF with --memory_hf) at the memory lengths, float32."""
  runs = []
  memory_modes = ['forward']
  if args.memory_train or args.gradient_checkpointing:
    memory_modes.append('train')
  for mode in memory_modes:
    for seq_length in sorted(map(int, args.memory_seq_lengths)):
      ours = ours_runs(args, mode, seq_length, args.memory_repeats,
                       'float32', args.gradient_checkpointing)
      if mode == 'train' and not args.memory_train:
        ours = [run for run in ours if run.gradient_checkpointing]
      hf = [Run('hf', mode, seq_length, repeats=args.memory_repeats)]
      runs += interleave([ours, hf if args.memory_hf else []])
  return runs


def plan_runs(args) -> List[Run]:
  """The matmuls (start and end, each dtype) around every model run."""
  matmuls = [Run('matmul', repeats=args.matmul_repeats, dtype=dtype)
             for dtype in args.dtypes]
  return matmuls + speed_runs(args) + memory_runs(args) + matmuls
