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

"""Labels from raw text: documents -> class probabilities.

Each document is encoded as the document tool encodes training data
(`longformer.data.documents.encode_documents`: `<s> text </s>`, a longer
text cut to `max_seq_length` tokens, the cut counted), padded with the
tokenizer's pad id, and classified; the probabilities are the softmax of the
classifier's logits.

Documents come from a folder of `.txt` files (one document each, its id the
file name) or a JSON lines file (`{"text": ..., "id": ...}` per line; `id`
defaults to the line number).
"""
import dataclasses
import os
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from longformer.data import documents
from longformer.data import json_lines
from longformer.inference import batching

EMPTY_TEXT = documents.EMPTY_TEXT
# Skip reason of a folder entry that is not a .txt file (e.g. a README).
NOT_TXT = 'not a .txt file'
_JSONL_EXAMPLE = '{"text": "...", "id": "doc-1"}'


@dataclasses.dataclass
class Result:
  """Labels and what happened on the way.

  Attributes:
    rows: per document {'id', 'label', 'probabilities': {name: p}}.
    num_cut: documents longer than max_seq_length tokens (cut, as in
      training).
    skipped: {reason: documents skipped for it}.
  """
  rows: List[Dict]
  num_cut: int
  skipped: Dict[str, int]


def read_documents(path: str) -> Tuple[List[Tuple[str, str]], Dict[str, int]]:
  """Each document in a folder of .txt files or a JSONL file.

  Returns:
    (id, text) pairs, and {skip reason: count}: a folder's entries that are
    not .txt files are skipped and counted (`NOT_TXT`).

  Raises:
    ValueError: a JSONL line is not an object with a string "text", ids
      repeat, or the folder has no .txt file.
  """
  if tf.io.gfile.isdir(path):
    entries = [n.rstrip('/') for n in tf.io.gfile.listdir(path)]
    names = sorted(n for n in entries if n.endswith('.txt'))
    if not names:
      raise ValueError(f'--documents={path} holds no .txt file.')
    docs = []
    for name in names:
      with tf.io.gfile.GFile(os.path.join(path, name)) as f:
        docs.append((name, f.read()))
    ignored = len(entries) - len(names)
    return docs, ({NOT_TXT: ignored} if ignored else {})
  docs = []
  with tf.io.gfile.GFile(path) as f:
    for number, row in json_lines.read_objects(f, path, _JSONL_EXAMPLE):
      if not isinstance(row.get('text'), str):
        found = (f'"text" is {row["text"]!r:.40}' if 'text' in row else
                 f'no "text" (keys: {sorted(row)})')
        raise ValueError(
            f'{path}:{number}: {found}; expected an object with a string '
            f'"text" (and optionally "id"), e.g. {_JSONL_EXAMPLE}.')
      doc_id = row.get('id', number)
      if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        raise ValueError(
            f'{path}:{number}: "id" is {doc_id!r:.40}; give a string or an '
            f'integer, or leave "id" out (the line number is used), e.g. '
            f'{_JSONL_EXAMPLE}.')
      docs.append((str(doc_id), row['text']))
  ids = [i for i, _ in docs]
  repeated = sorted({i for i in ids if ids.count(i) > 1})
  if repeated:
    raise ValueError(f'{path}: ids {repeated} repeat; labels are keyed by id.')
  return docs, {}


def classify(predict: Callable, tokenizer, docs: Sequence[Tuple[str, str]],
             max_seq_length: int, label_names: Optional[Sequence[str]],
             batch_size: int, progress: Callable[[int, int], None]) -> Result:
  """Classifies each document.

  Args:
    predict: (input_word_ids, input_mask) int32 [B, T] -> {'outputs':
      float32 [B, num_classes] logits}.
    tokenizer: the model's RoBERTa-style HuggingFace tokenizer.
    docs: (id, text) pairs.
    max_seq_length: T.
    label_names: class names in class-index order, or None for '0', '1', ...
    batch_size: documents per model call.
    progress: called with (documents done, documents in all).
  """
  kept = [(i, t) for i, t in docs if t.strip()]
  skipped = {EMPTY_TEXT: len(docs) - len(kept)} if len(kept) < len(docs) else {}
  encoded = documents.encode_documents(
      tokenizer,
      [documents.Document(t, -1, i, row) for row, (i, t) in enumerate(kept)],
      max_seq_length) if kept else []
  pad = tokenizer.pad_token_id
  ids = [list(e.input_ids) + [pad] * (max_seq_length - len(e.input_ids))
         for e in encoded]
  mask = [[1] * len(e.input_ids) + [0] * (max_seq_length - len(e.input_ids))
          for e in encoded]
  logits = batching.run_batches(predict, ids, mask, batch_size,
                                progress).get('outputs')
  rows = []
  if kept:
    probs = _softmax(logits)
    names = list(label_names or [str(c) for c in range(probs.shape[1])])
    for (doc_id, _), p in zip(kept, probs):
      rows.append({'id': doc_id, 'label': names[int(np.argmax(p))],
                   'probabilities': dict(zip(names, map(float, p)))})
  return Result(rows, sum(e.num_cut_tokens > 0 for e in encoded), skipped)


def _softmax(logits: np.ndarray) -> np.ndarray:
  """float32 [N, C] logits -> probabilities, float64 [N, C]."""
  shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
  exp = np.exp(shifted)
  return exp / exp.sum(axis=1, keepdims=True)
