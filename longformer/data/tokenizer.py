"""Loads the RoBERTa-style BPE tokenizer that every data tool uses.

`transformers` is imported inside `load_tokenizer`, so importing this module
needs only the standard library.
"""


def load_tokenizer(name: str):
  """Returns the tokenizer at a hub name or local directory.

  Args:
    name: a HuggingFace hub name (e.g. 'allenai/longformer-base-4096') or a
      local directory written by `save_pretrained`.

  Returns:
    A `transformers` tokenizer with a pad token.

  Raises:
    ImportError: `transformers` is not installed.
    OSError: the tokenizer cannot be loaded.
    ValueError: the tokenizer has no pad token.
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
  if tokenizer.pad_token_id is None:
    raise ValueError(f'--tokenizer={name} has no pad token; TFRecords are '
                     'padded with it. Use a tokenizer that defines one.')
  return tokenizer
