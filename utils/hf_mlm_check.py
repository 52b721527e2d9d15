"""Converter self-check shared by the CLIs: HF masked-LM logits vs ours.

Imports torch; only the CLIs (and tests) import this module.
"""
import numpy as np
import torch

from longformer import masked_lm_conversion


def hf_mlm_logits(hf_model, batch, global_attention_size) -> np.ndarray:
  """HF `...ForMaskedLM` logits: float32 [B, T, V].

  Args:
    hf_model: `LongformerForMaskedLM` (the first `global_attention_size`
      tokens global) or `RobertaForMaskedLM` (`global_attention_size` must
      be 0: RoBERTa attends fully).
    batch: our encoder inputs, int32 [B, T] each.
    global_attention_size: leading global tokens.
  """
  as_long = lambda x: torch.from_numpy(np.asarray(x, np.int64))
  kwargs = dict(input_ids=as_long(batch['input_word_ids']),
                attention_mask=as_long(batch['input_mask']),
                token_type_ids=as_long(batch['input_type_ids']))
  if hf_model.config.model_type == 'longformer':
    global_mask = np.zeros_like(batch['input_mask'])
    global_mask[:, :global_attention_size] = 1
    kwargs['global_attention_mask'] = as_long(global_mask)
  elif global_attention_size:
    raise ValueError('A RoBERTa reference has no global tokens; check with '
                     'global_attention_size=0.')
  with torch.no_grad():
    return hf_model.eval()(**kwargs).logits.numpy()


def max_mlm_logits_diff(hf_model, encoder, head, batch,
                        global_attention_size) -> float:
  """Max abs difference of MLM logits at every real token, HF vs ours."""
  ours = masked_lm_conversion.mlm_logits(encoder, head, batch)
  theirs = hf_mlm_logits(hf_model, batch, global_attention_size)
  real = np.asarray(batch['input_mask'])[..., None] > 0
  return float(np.abs(np.where(real, ours - theirs, 0.0)).max())
