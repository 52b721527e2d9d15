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

"""Loads the RoBERTa-style BPE tokenizer that every data tool uses.

Accepts a hub name, a `save_pretrained` directory, or a directory written by
the `tokenizers` library (vocab.json, merges.txt, tokenizer.json, with no
special-token config), which is wrapped as RoBERTa's tokenizer when its
vocabulary holds RoBERTa's special tokens. `transformers` is imported inside
the functions, so importing this module needs only the standard library.

The tokenizer is loaded with `split_special_tokens=True`: user text that
spells a special token (`<s>`, `</s>`, `<pad>`, `<mask>`, e.g. HTML's
strikethrough `<s>`) is tokenized as text, never turned into a control id;
the special tokens a tool adds (`<s> ... </s>`) are added by id.
"""
import json
import os
from typing import Optional

from absl import logging

# RoBERTa's (and Longformer's) special tokens, by role.
ROBERTA_SPECIAL_TOKENS = {
    'bos_token': '<s>', 'eos_token': '</s>', 'pad_token': '<pad>',
    'mask_token': '<mask>', 'unk_token': '<unk>',
}
_BPE_FILES = ('vocab.json', 'merges.txt')
# Encoded with and without the wrapper: the text tokens must agree.
_PROBE_TEXT = 'Long documents need global tokens, 4096 of them!'
# A BPE vocabulary smaller than this is broken (a byte-level BPE alone has
# 256 byte symbols; a wrong wrapper yields its 5 special tokens).
MIN_VOCAB_SIZE = 100
# A split whose tokens are more than this fraction `<unk>` is refused.
MAX_UNKNOWN_FRACTION = 0.5


def load_tokenizer(name: str, model_vocab_size: Optional[int] = None):
  """Returns the fast tokenizer at a hub name or local directory.

  Args:
    name: a HuggingFace hub name (e.g. 'allenai/longformer-base-4096'), a
      local directory written by `save_pretrained`, or one written by the
      `tokenizers` library (see the module docstring).
    model_vocab_size: the model's vocabulary size, if known: a tokenizer
      with more ids (ids past the embedding table) is refused.

  Returns:
    A fast (offset-returning) `transformers` tokenizer with pad, `<s>`
    (cls) and `</s>` (sep) tokens, splitting special-token text as text.

  Raises:
    ImportError: `transformers` is not installed.
    OSError: the tokenizer cannot be loaded.
    ValueError: the tokenizer is not fast, lacks a special token (the
      message says how to wrap a `tokenizers` folder), has an absurdly small
      vocabulary or more ids than the model.
  """
  tokenizer = _load(name)
  if not tokenizer.is_fast:
    raise ValueError(f'--tokenizer={name} is not a fast tokenizer; character '
                     'offsets need one (tokenizer.json).')
  if None in (tokenizer.cls_token_id, tokenizer.sep_token_id):
    raise ValueError(f'--tokenizer={name} lacks a cls (<s>) or sep (</s>) '
                     'token; the examples need both.')
  size = len(tokenizer)
  if size < MIN_VOCAB_SIZE:
    raise ValueError(
        f'--tokenizer={name} has only {size} tokens (fewer than '
        f'{MIN_VOCAB_SIZE}): it was not built from its vocabulary (see '
        f'{_HINT}).')
  if model_vocab_size is not None and size > model_vocab_size:
    raise ValueError(
        f'--tokenizer={name} has {size} tokens, more than the model\'s '
        f'--vocab_size={model_vocab_size}: ids up to {size - 1} would index '
        'past its embedding table. Use the tokenizer the model was trained '
        'with.')
  return tokenizer


def check_unknown_fraction(name: str, num_unknown: int,
                           num_tokens: int) -> None:
  """Raises ValueError if most of a split's tokens are `<unk>`.

  Args:
    name: what was tokenized, e.g. 'mnli train'.
    num_unknown: tokens that are the tokenizer's unk id.
    num_tokens: all text tokens (special tokens excluded).
  """
  if num_tokens and num_unknown > MAX_UNKNOWN_FRACTION * num_tokens:
    raise ValueError(
        f'{name}: {num_unknown} of {num_tokens} tokens are <unk> (more than '
        f'{MAX_UNKNOWN_FRACTION:.0%}): the tokenizer does not fit this text. '
        f'Use the tokenizer the model was trained with (see {_HINT}).')


_HINT = ('the --tokenizer help: a `tokenizers` folder is wrapped with '
         'transformers.RobertaTokenizerFast(tokenizer_file=<dir>/'
         'tokenizer.json, bos_token=..., eos_token=..., sep_token=..., '
         'cls_token=..., pad_token=..., unk_token=..., mask_token=...)'
         '.save_pretrained(<new dir>)')


def _load(name: str):
  """AutoTokenizer at `name`, or its `tokenizers` folder wrapped."""
  try:
    import transformers  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise ImportError('The tokenizer needs `transformers`: pip install '
                      "'.[data]' (or transformers tokenizers).") from None
  try:
    tokenizer = transformers.AutoTokenizer.from_pretrained(
        name, split_special_tokens=True)
  except (OSError, ValueError) as e:
    raise OSError(f'Could not load --tokenizer={name}: {e}\nPass a local '
                  'directory written by `save_pretrained`, or a hub name '
                  'this machine can download.') from None
  if tokenizer.pad_token_id is not None:
    return tokenizer
  if not all(os.path.isfile(os.path.join(name, f)) for f in _BPE_FILES):
    raise ValueError(f'--tokenizer={name} has no pad token; TFRecords are '
                     'padded with it. Use a tokenizer that defines one.')
  return _wrap_as_roberta(name, tokenizer)


def _wrap_as_roberta(directory: str, plain):
  """Wraps a `tokenizers` BPE directory as RoBERTa's tokenizer, checked.

  Args:
    directory: holds vocab.json and merges.txt (and maybe tokenizer.json).
    plain: the tokenizer `AutoTokenizer` loaded from it, without specials.

  Returns:
    `RobertaTokenizerFast` over the directory's files: `<s> A </s>` and
    `<s> A </s></s> B </s>`, padded with `<pad>`.

  Raises:
    ValueError: a special token is missing from the vocabulary, or the
      wrapped tokenizer splits text differently from the directory's own.
  """
  import transformers  # pylint: disable=g-import-not-at-top
  with open(os.path.join(directory, 'vocab.json'), encoding='utf-8') as f:
    vocab = json.load(f)
  missing = [t for t in ROBERTA_SPECIAL_TOKENS.values() if t not in vocab]
  if missing:
    raise ValueError(
        f'--tokenizer={directory} has no pad token and no special-token '
        f'config, and its vocabulary lacks {" ".join(missing)} of RoBERTa\'s '
        f'special tokens <s> </s> <pad> <mask> <unk>, so it cannot be used '
        f'as RoBERTa\'s. Retrain it with special_tokens=["<s>", "<pad>", '
        f'"</s>", "<unk>", "<mask>"], or wrap it naming its own tokens and '
        f'save that: transformers.RobertaTokenizerFast(tokenizer_file='
        f'"{os.path.join(directory, "tokenizer.json")}", bos_token=..., '
        f'eos_token=..., sep_token=..., cls_token=..., pad_token=..., '
        f'unk_token=..., mask_token=...).save_pretrained(<new dir>), then '
        f'pass --tokenizer=<new dir>.')
  tokenizer = transformers.RobertaTokenizerFast.from_pretrained(
      directory, split_special_tokens=True)
  wrapped_ids = tokenizer(_PROBE_TEXT)['input_ids']
  plain_ids = plain(_PROBE_TEXT, add_special_tokens=False)['input_ids']
  if wrapped_ids != [vocab['<s>']] + plain_ids + [vocab['</s>']]:
    raise ValueError(
        f'--tokenizer={directory}: wrapped as RoBERTa\'s tokenizer it encodes '
        f'{_PROBE_TEXT!r} as {wrapped_ids}, but its own tokenizer.json gives '
        f'<s> {plain_ids} </s>. Save it with save_pretrained from the '
        f'tokenizer class it was trained for.')
  logging.info('--tokenizer=%s has no special-token config; using it as '
               'RoBERTa\'s tokenizer (<s> text </s>, pad <pad>=%d).',
               directory, vocab['<pad>'])
  return tokenizer
