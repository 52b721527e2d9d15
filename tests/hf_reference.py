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

"""Test helpers: tiny random HF PyTorch Longformers and inputs for them.

The reference is HF's own `LongformerModel`; our encoder gets its weights
through `longformer.conversion.checkpoint_conversion`, the code the converter runs.
"""
import numpy as np
import torch
import transformers

from longformer.conversion import checkpoint_conversion
from longformer.configs import encoder_config as config_lib

# float32 parity bar against HF PyTorch: two
# implementations summing in different orders differ by ~1e-6 at these
# sizes; 1e-5 leaves room without hiding a wrong weight (the negative
# control below moves outputs by > 1e-2).
PARITY_ATOL = 1e-5


def tiny_hf_config(**overrides) -> transformers.LongformerConfig:
  """A small LongformerConfig (hidden 32, 4 heads, 2 layers), no dropout."""
  kwargs = dict(vocab_size=97, hidden_size=32, num_hidden_layers=2,
                num_attention_heads=4, intermediate_size=48,
                max_position_embeddings=130, attention_window=[4, 8],
                pad_token_id=1, type_vocab_size=2, layer_norm_eps=1e-5,
                hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
  kwargs.update(overrides)
  return transformers.LongformerConfig(**kwargs)


def hf_model(hf_config, seed=0) -> transformers.LongformerModel:
  """A random HF model in eval mode, with weights scaled up a little.

  HF's initialization (std 0.02) gives near-uniform attention; a larger
  scale makes scores, hence masking mistakes, visible in the outputs.
  """
  torch.manual_seed(seed)
  model = transformers.LongformerModel(hf_config)
  with torch.no_grad():
    for name, param in model.named_parameters():
      if 'LayerNorm' not in name:
        param.mul_(4.0)
      else:
        param.add_(0.1 * torch.randn_like(param))
  return model.eval()


def state_of(model) -> dict:
  return {k: v.detach().numpy() for k, v in model.state_dict().items()}


def converted_encoder(model, global_attention_size, state=None,
                      global_tokens='first'):
  """Our encoder built from the HF config, holding the HF weights."""
  encoder_config = checkpoint_conversion.encoder_config_from_hf(
      model.config.to_dict(), global_attention_size=global_attention_size)
  encoder_config.global_tokens = global_tokens
  encoder_config.dropout_rate = 0.0
  encoder_config.attention_dropout_rate = 0.0
  encoder = config_lib.build_longformer_encoder(encoder_config)
  encoder(random_batch(model.config, 1, 8, global_attention_size))
  checkpoint_conversion.load_hf_weights(encoder, state or state_of(model))
  return encoder


def random_batch(hf_config, batch_size, seq_length, global_attention_size,
                 real_lengths=None, seed=0):
  """Random ids, ragged padding and token types: dict of int32 [B, T].

  Args:
    real_lengths: real tokens per row; default: the first row full, the
      others random (at least one token).
  """
  rng = np.random.default_rng(seed)
  pad = hf_config.pad_token_id
  ids = rng.integers(pad + 1, hf_config.vocab_size, (batch_size, seq_length))
  if real_lengths is None:
    real_lengths = [seq_length] + list(
        rng.integers(1, seq_length + 1, batch_size - 1))
  mask = (np.arange(seq_length)[None] <
          np.asarray(real_lengths)[:, None]).astype(np.int32)
  ids[mask == 0] = pad
  types = rng.integers(0, hf_config.type_vocab_size, (batch_size, seq_length))
  del global_attention_size  # The same inputs serve every global size.
  return dict(input_word_ids=ids.astype(np.int32), input_mask=mask,
              input_type_ids=(types * mask).astype(np.int32))


def hf_outputs(model, batch, global_attention_size, global_mask=None):
  """HF sequence, pooled and per-layer outputs as NumPy arrays.

  global_mask: int [B, T] HF `global_attention_mask`; default the first
  `global_attention_size` tokens.
  """
  if global_mask is None:
    global_mask = np.zeros_like(batch['input_mask'])
    global_mask[:, :global_attention_size] = 1
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  with torch.no_grad():
    out = model(input_ids=as_long(batch['input_word_ids']),
                attention_mask=as_long(batch['input_mask']),
                global_attention_mask=as_long(global_mask),
                token_type_ids=as_long(batch['input_type_ids']),
                output_hidden_states=True)
  return dict(sequence_output=out.last_hidden_state.numpy(),
              pooled_output=out.pooler_output.numpy(),
              encoder_outputs=[h.numpy() for h in out.hidden_states[1:]])


def max_diff(ours, theirs):
  """(max abs diff, index where it occurs) of two arrays of equal shape."""
  ours, theirs = np.asarray(ours), np.asarray(theirs)
  assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
  diff = np.abs(ours - theirs)
  return float(diff.max()), np.unravel_index(diff.argmax(), diff.shape)


def assert_parity(ours, theirs, atol=PARITY_ATOL):
  """Compares every output; a failure names the output/layer and where."""
  pairs = [('sequence_output', ours['sequence_output'],
            theirs['sequence_output']),
           ('pooled_output', ours['pooled_output'], theirs['pooled_output'])]
  pairs += [(f'encoder_outputs[{i}]', a, b) for i, (a, b) in enumerate(
      zip(ours['encoder_outputs'], theirs['encoder_outputs']))]
  assert len(ours['encoder_outputs']) == len(theirs['encoder_outputs'])
  for name, a, b in pairs:
    diff, where = max_diff(a, b)
    assert diff <= atol, f'{name}: max abs diff {diff:.3g} at {where}'
