"""Loads the RoBERTa-style BPE tokenizer that every data tool uses.

Accepts a hub name, a `save_pretrained` directory, or a directory written by
the `tokenizers` library (vocab.json, merges.txt, tokenizer.json, with no
special-token config), which is wrapped as RoBERTa's tokenizer when its
vocabulary holds RoBERTa's special tokens. `transformers` is imported inside
the functions, so importing this module needs only the standard library.
"""
import json
import os

from absl import logging

# RoBERTa's (and Longformer's) special tokens, by role.
ROBERTA_SPECIAL_TOKENS = {
    'bos_token': '<s>', 'eos_token': '</s>', 'pad_token': '<pad>',
    'mask_token': '<mask>', 'unk_token': '<unk>',
}
_BPE_FILES = ('vocab.json', 'merges.txt')
# Encoded with and without the wrapper: the text tokens must agree.
_PROBE_TEXT = 'Long documents need global tokens, 4096 of them!'


def load_tokenizer(name: str):
  """Returns the tokenizer at a hub name or local directory.

  Args:
    name: a HuggingFace hub name (e.g. 'allenai/longformer-base-4096'), a
      local directory written by `save_pretrained`, or one written by the
      `tokenizers` library (see the module docstring).

  Returns:
    A `transformers` tokenizer with a pad token.

  Raises:
    ImportError: `transformers` is not installed.
    OSError: the tokenizer cannot be loaded.
    ValueError: the tokenizer has no pad token and cannot be wrapped as
      RoBERTa's; the message says how to wrap it.
  """
  try:
    import transformers  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise ImportError('The tokenizer needs `transformers`: pip install '
                      "'.[data]' (or transformers tokenizers).") from None
  try:
    tokenizer = transformers.AutoTokenizer.from_pretrained(name)
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
        f'save that: transformers.RobertaTokenizerFast(vocab_file=..., '
        f'merges_file=..., bos_token=..., eos_token=..., sep_token=..., '
        f'cls_token=..., pad_token=..., unk_token=..., mask_token=...)'
        f'.save_pretrained(<dir>), then pass --tokenizer=<dir>.')
  tokenizer = transformers.RobertaTokenizerFast.from_pretrained(directory)
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
