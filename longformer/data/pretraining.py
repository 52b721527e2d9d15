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

"""Raw text -> Model Garden masked-LM pretraining `tf.train.Example`s.

RoBERTa's recipe on a RoBERTa BPE vocabulary (Model Garden's
`create_pretraining_data` writes WordPiece ids, pad 0 and `[MASK]` 103):
  - every document becomes `<s> tokens </s>`; whole documents are packed
    greedily into sequences of at most `max_seq_length` tokens (RoBERTa's
    full-sentences packing, without splitting a document that fits); a
    document longer than a sequence is cut into pieces of
    max_seq_length - 2 tokens, each wrapped in `<s>`/`</s>`;
  - the rest is padding with the tokenizer's pad id (1 for RoBERTa);
  - masking (BERT's and RoBERTa's 80/10/10 rule): `masked_lm_prob` of the
    maskable tokens (never a special token or padding), at most
    `max_predictions_per_seq`, are chosen; 80% become the tokenizer's
    `<mask>`, 10% a random non-special token, 10% stay.
Features are the ones `official.nlp.data.pretrain_dataloader.
BertPretrainDataLoader` reads without next-sentence labels: `input_ids`,
`input_mask`, `segment_ids` [T]; `masked_lm_positions`, `masked_lm_ids`,
`masked_lm_weights` [P]. Shapes: T max_seq_length, P max_predictions_per_seq.
"""
import dataclasses
from typing import Iterable, Iterator, List, Sequence

import numpy as np
import tensorflow as tf

# BERT's and RoBERTa's replacement rule for a chosen position.
MASK_FRACTION = 0.8
RANDOM_FRACTION = 0.1  # the remaining 0.1 keep the original token


@dataclasses.dataclass(frozen=True)
class SpecialIds:
  """The tokenizer's ids the data format needs.

  Attributes:
    bos: `<s>`, opens every document (piece).
    eos: `</s>`, closes it.
    pad: the padding id (RoBERTa: 1).
    mask: `<mask>`.
    never_masked: every special id (never chosen for prediction, never a
      random replacement).
    vocab_size: size of the id space.
  """
  bos: int
  eos: int
  pad: int
  mask: int
  never_masked: frozenset
  vocab_size: int


def special_ids_of(tokenizer) -> SpecialIds:
  """The `SpecialIds` of an HF tokenizer; refuses one that lacks any."""
  ids = dict(bos=tokenizer.bos_token_id, eos=tokenizer.eos_token_id,
             pad=tokenizer.pad_token_id, mask=tokenizer.mask_token_id)
  missing = [name for name, value in ids.items() if value is None]
  if missing:
    raise ValueError(f'The tokenizer has no {", ".join(missing)} token; '
                     'use a RoBERTa-style BPE tokenizer (<s>, </s>, <pad>, '
                     '<mask>).')
  return SpecialIds(never_masked=frozenset(tokenizer.all_special_ids) |
                    frozenset(ids.values()), vocab_size=len(tokenizer),
                    **ids)


def document_units(doc_ids: Sequence[int], special: SpecialIds,
                   max_seq_length: int) -> List[List[int]]:
  """`<s> ids </s>`, or pieces of max_seq_length - 2 ids each so wrapped."""
  width = max_seq_length - 2
  return [[special.bos, *doc_ids[i:i + width], special.eos]
          for i in range(0, len(doc_ids), width)]


def pack(units: Iterable[List[int]], max_seq_length: int
         ) -> Iterator[List[int]]:
  """Greedy packing: yields sequences of whole units, <= max_seq_length."""
  current = []
  for unit in units:
    if len(unit) > max_seq_length:
      raise ValueError(f'A unit of {len(unit)} tokens exceeds '
                       f'max_seq_length={max_seq_length}.')
    if len(current) + len(unit) > max_seq_length:
      yield current
      current = []
    current = current + unit
  if current:
    yield current


@dataclasses.dataclass
class MaskedSequence:
  """One masked sequence before padding.

  Attributes:
    input_ids: int [n] with the replacements applied.
    positions: int [k], ascending, the predicted positions.
    labels: int [k], the original ids there.
  """
  input_ids: np.ndarray
  positions: np.ndarray
  labels: np.ndarray


def mask_sequence(ids: Sequence[int], special: SpecialIds,
                  masked_lm_prob: float, max_predictions_per_seq: int,
                  rng: np.random.Generator) -> MaskedSequence:
  """Chooses and replaces prediction positions (80/10/10).

  Predicts round(masked_lm_prob * maskable tokens), at least 1 if any token
  is maskable, at most max_predictions_per_seq.
  """
  ids = np.asarray(ids, np.int64)
  maskable = np.flatnonzero(~np.isin(ids, list(special.never_masked)))
  count = min(max_predictions_per_seq,
              max(1, int(round(len(maskable) * masked_lm_prob))),
              len(maskable))
  positions = np.sort(rng.choice(maskable, size=count, replace=False))
  labels = ids[positions]
  draw = rng.random(count)
  replaced = ids.copy()
  to_mask = draw < MASK_FRACTION
  to_random = (draw >= MASK_FRACTION) & (
      draw < MASK_FRACTION + RANDOM_FRACTION)
  replaced[positions[to_mask]] = special.mask
  candidates = np.setdiff1d(np.arange(special.vocab_size),
                            list(special.never_masked))
  replaced[positions[to_random]] = rng.choice(candidates,
                                              size=int(to_random.sum()))
  return MaskedSequence(replaced, positions, labels)


def wanted_predictions(ids: Sequence[int], special: SpecialIds,
                       masked_lm_prob: float) -> int:
  """Predictions the rate asks for before the max_predictions_per_seq cap."""
  maskable = int((~np.isin(ids, list(special.never_masked))).sum())
  return max(1, int(round(maskable * masked_lm_prob))) if maskable else 0


def _int64s(values) -> tf.train.Feature:
  return tf.train.Feature(int64_list=tf.train.Int64List(
      value=[int(v) for v in values]))


def make_example(masked: MaskedSequence, special: SpecialIds,
                 max_seq_length: int,
                 max_predictions_per_seq: int) -> tf.train.Example:
  """Pads to T and P and builds the `tf.train.Example`."""
  length, count = len(masked.input_ids), len(masked.positions)
  if length > max_seq_length or count > max_predictions_per_seq:
    raise ValueError(f'{length} tokens / {count} predictions exceed '
                     f'{max_seq_length} / {max_predictions_per_seq}.')
  pad_tokens = max_seq_length - length
  pad_predictions = max_predictions_per_seq - count
  features = {
      'input_ids': _int64s(list(masked.input_ids) + [special.pad] *
                           pad_tokens),
      'input_mask': _int64s([1] * length + [0] * pad_tokens),
      'segment_ids': _int64s([0] * max_seq_length),
      'masked_lm_positions': _int64s(list(masked.positions) +
                                     [0] * pad_predictions),
      'masked_lm_ids': _int64s(list(masked.labels) + [0] * pad_predictions),
      'masked_lm_weights': tf.train.Feature(float_list=tf.train.FloatList(
          value=[1.0] * count + [0.0] * pad_predictions)),
  }
  return tf.train.Example(features=tf.train.Features(feature=features))
