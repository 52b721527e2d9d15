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

"""HF PyTorch `LongformerModel` as `run_one.py` times it, eager.

bfloat16 comes in two forms (`--hf_bf16`):
  autocast  `torch.autocast('cpu', dtype=torch.bfloat16)` around the forward
            pass; the weights (and the optimizer's view of them) stay float32;
  cast      the model cast with `model.to(torch.bfloat16)`: weights and
            activations in bfloat16.
`args` is `run_one.py`'s parsed flags.
"""
import contextlib

import model_sizes as constants
import tf_steps


def bfloat16_context(torch, args):
  """The autocast context for --hf_bf16=autocast, else a no-op context."""
  if args.dtype == 'bfloat16' and args.hf_bf16 == 'autocast':
    return torch.autocast('cpu', dtype=torch.bfloat16)
  return contextlib.nullcontext()


def hf_step(args) -> tf_steps.Step:
  """Builds HF's LongformerModel; returns its timed step and error check."""
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(args.threads)
  torch.manual_seed(args.seed)
  config = transformers.LongformerConfig(
      vocab_size=constants.VOCAB_SIZE, hidden_size=constants.HIDDEN_SIZE,
      num_hidden_layers=args.num_layers,
      num_attention_heads=constants.NUM_HEADS,
      intermediate_size=constants.INNER_DIM,
      attention_window=args.attention_window,
      max_position_embeddings=(args.seq_length +
                               constants.POSITION_ROWS_OFFSET),
      type_vocab_size=1, pad_token_id=constants.PAD_TOKEN_ID,
      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
  model = transformers.LongformerModel(config).eval()
  shape = (1, args.seq_length)
  word_ids = torch.randint(constants.PAD_TOKEN_ID + 1, constants.VOCAB_SIZE,
                           shape)
  global_mask = torch.zeros(shape, dtype=torch.long)
  global_mask[:, tf_steps.global_positions(args, args.seq_length)] = 1
  inputs = dict(input_ids=word_ids, attention_mask=torch.ones_like(word_ids),
                global_attention_mask=global_mask,
                token_type_ids=torch.zeros_like(word_ids))

  def sequence_output():
    with bfloat16_context(torch, args):
      return model(**inputs).last_hidden_state.float()

  reference = None
  if args.measure_error:  # Before a cast changes the weights.
    with torch.no_grad():
      reference = model(**inputs).last_hidden_state
  if args.dtype == 'bfloat16' and args.hf_bf16 == 'cast':
    model.to(torch.bfloat16)

  def forward():
    with torch.no_grad():
      sequence_output().sum().item()

  def train():
    model.zero_grad(set_to_none=True)
    sequence_output().sum().backward()

  def max_abs_diff() -> float:
    model.eval()
    with torch.no_grad():
      return float((sequence_output() - reference).abs().max())

  if args.mode == 'train':
    model.train()
    return tf_steps.Step(train, max_abs_diff)
  return tf_steps.Step(forward, max_abs_diff)
