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

"""Builds a tiny RoBERTa-style byte-level BPE tokenizer for tests, offline.

The special tokens are RoBERTa's (`<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3,
`<mask>`=4) and so is the pair layout `<s> A </s></s> B </s>`, so the ids
look like longformer-base-4096's, with a vocabulary of a few hundred.
"""
from tokenizers import ByteLevelBPETokenizer
from tokenizers import processors
import transformers

SPECIAL_TOKENS = ('<s>', '<pad>', '</s>', '<unk>', '<mask>')
_CORPUS = (
    'The cat sat on the mat while a dog slept near the door.',
    'A man is playing a guitar, and the crowd is not listening.',
    'Long documents need long attention windows and global tokens.',
    'Nobody knows whether the answer lies far from the first token.',
)


def build_tiny_tokenizer(directory: str, vocab_size: int = 400,
                         token_type_ids: bool = False) -> str:
  """Trains the tokenizer and saves it with `save_pretrained`.

  Args:
    directory: where to save; `AutoTokenizer.from_pretrained(directory)`
      loads it back.
    vocab_size: BPE vocabulary size, special tokens included.
    token_type_ids: if True, the pair's second segment gets type id 1 and the
      tokenizer lists `token_type_ids` among its model inputs (as BERT does);
      if False, every type id is 0 and the model inputs are RoBERTa's.

  Returns:
    `directory`.
  """
  bpe = ByteLevelBPETokenizer()
  bpe.train_from_iterator(_CORPUS * 10, vocab_size=vocab_size,
                          min_frequency=1, special_tokens=list(SPECIAL_TOKENS))
  bos, eos = ('<s>', bpe.token_to_id('<s>')), ('</s>', bpe.token_to_id('</s>'))
  if token_type_ids:
    bpe.post_processor = processors.TemplateProcessing(
        single='<s> $A </s>', pair='<s> $A </s> </s> $B:1 </s>:1',
        special_tokens=[bos, eos])
  else:
    bpe.post_processor = processors.RobertaProcessing(eos, bos)
  model_input_names = ['input_ids', 'attention_mask']
  if token_type_ids:
    model_input_names.insert(1, 'token_type_ids')
  tokenizer = transformers.PreTrainedTokenizerFast(
      tokenizer_object=bpe._tokenizer,  # pylint: disable=protected-access
      bos_token='<s>', eos_token='</s>', sep_token='</s>', cls_token='<s>',
      pad_token='<pad>', unk_token='<unk>', mask_token='<mask>',
      model_input_names=model_input_names)
  tokenizer.save_pretrained(directory)
  return directory


def build_plain_bpe_folder(directory: str,
                           special_tokens=SPECIAL_TOKENS,
                           vocab_size: int = 400) -> str:
  """Trains a byte-level BPE and saves it as the `tokenizers` library does.

  The directory holds vocab.json, merges.txt and tokenizer.json only: no
  tokenizer_config.json or special_tokens_map.json, so `transformers` sees
  no pad, bos or eos token in it.

  Args:
    directory: where to save; created if missing.
    special_tokens: tokens added to the vocabulary first, in this order.
    vocab_size: BPE vocabulary size, special tokens included.

  Returns:
    `directory`.
  """
  import os  # pylint: disable=g-import-not-at-top
  os.makedirs(directory, exist_ok=True)
  bpe = ByteLevelBPETokenizer()
  bpe.train_from_iterator(_CORPUS * 10, vocab_size=vocab_size,
                          min_frequency=1, special_tokens=list(special_tokens))
  bpe.save_model(directory)
  bpe.save(os.path.join(directory, 'tokenizer.json'))
  return directory
