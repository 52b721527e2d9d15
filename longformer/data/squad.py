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

"""SQuAD-format question answering -> windows of `<s> q </s></s> c </s>`.

Reads SQuAD v1.1 / v2.0 JSON (TriviaQA converted to SQuAD format is the
same), checks every question, and cuts each tokenized (question, context)
pair into windows of at most `max_seq_length` tokens, `doc_stride` context
tokens apart:

  position: 0    1 .. Q      Q+1  Q+2  Q+3 .. Q+2+L   Q+3+L   .. T-1
  token:    <s>  question    </s> </s> context window  </s>    <pad> ...
  input_mask: 2  2 .. 2      1    1    1 .. 1          1       0 ...

with Q question tokens and L context tokens. `input_mask` 2 marks the global
tokens (`<s>` and the question: every token before the first `</s>`, as HF's
`LongformerForQuestionAnswering` chooses), 1 the other real tokens, 0 the
padding; the encoder reads it with `global_tokens: marked`.

Loading the tokenizer is the tools' job (`longformer/data/tokenizer.py`);
`tokenize` takes it as an argument, so nothing here imports a tokenizer
library, and the data tool and `utils/predict.py` cut text into the same
tokens. Bad questions are never written: `read_squad` and `make_windows`
return why they skipped one, and the tool counts the reasons. A file with a
malformed record or a repeated question id is refused.
"""
import collections
import dataclasses
import json
from typing import Iterator, List, NamedTuple, Optional, Sequence, Tuple

import tensorflow as tf

# Why a question was skipped; the CLI reports a count for each.
EMPTY_CONTEXT = 'empty_context'
ANSWER_NOT_AT_OFFSET = 'answer_not_at_offset'
NO_ANSWER = 'no_answer_in_v1_file'
QUESTION_TOO_LONG = 'question_too_long'
ANSWER_OUTSIDE_TOKENS = 'answer_covers_no_token'
SKIP_REASONS = (EMPTY_CONTEXT, ANSWER_NOT_AT_OFFSET, NO_ANSWER,
                QUESTION_TOO_LONG, ANSWER_OUTSIDE_TOKENS)

# Tokens around the question and the context: <s> q </s></s> c </s>.
NUM_SPECIAL_TOKENS = 4
GLOBAL = 2
LOCAL = 1


@dataclasses.dataclass(frozen=True)
class SquadExample:
  """One question about one context.

  Attributes:
    qas_id: the question's id, the key of the predictions JSON.
    question: the question text.
    context: the paragraph (or document) text.
    answers: the gold answer texts (empty for an unanswerable question).
    answer_start: the first answer's character offset in `context`, or None
      for an unanswerable question.
    is_impossible: True for a SQuAD v2.0 question with no answer.
    misaligned_answers: gold answers left out because their text is not at
      their answer_start.
  """
  qas_id: str
  question: str
  context: str
  answers: Tuple[str, ...]
  answer_start: Optional[int]
  is_impossible: bool
  misaligned_answers: int = 0


class Tokenized(NamedTuple):
  """A tokenized text without special tokens.

  ids: int token ids, length n.
  offsets: (start, end) character offsets of each token in the text, n pairs.
  """
  ids: Sequence[int]
  offsets: Sequence[Tuple[int, int]]


class SpecialIds(NamedTuple):
  """The tokenizer's `<s>` (cls), `</s>` (sep) and padding ids."""
  cls: int
  sep: int
  pad: int


@dataclasses.dataclass
class Window:
  """One model input: a question and a stretch of its context.

  Attributes:
    input_ids: int ids, length max_seq_length, padded with the pad id.
    input_mask: 2 = global (<s> and question), 1 = other real token, 0 = pad.
    context_start: position of the window's first context token.
    offsets: (start, end) character offsets in the context of the window's
      context tokens; position context_start + i has offsets[i].
    start_position, end_position: token positions of the answer, or 0 and 0
      (the `<s>` token) when the window does not hold the whole answer or the
      question has none.
  """
  input_ids: List[int]
  input_mask: List[int]
  context_start: int
  offsets: List[Tuple[int, int]]
  start_position: int = 0
  end_position: int = 0


def tokenize(tokenizer, text: str) -> Tokenized:
  """Token ids and character offsets of `text`, without special tokens.

  Args:
    tokenizer: a fast (offset-returning) HuggingFace tokenizer.
    text: a question or a context.
  """
  encoded = tokenizer(text, add_special_tokens=False,
                      return_offsets_mapping=True, verbose=False)
  return Tokenized(encoded['input_ids'],
                   [tuple(o) for o in encoded['offset_mapping']])


def tokenize_question(tokenizer, example: SquadExample) -> Tokenized:
  """The question's tokens (leading spaces dropped, as SQuAD tools do)."""
  return tokenize(tokenizer, example.question.lstrip())


def read_squad(path: str, version_2_with_negative: bool
               ) -> Iterator[Tuple[Optional[SquadExample], Optional[str]]]:
  """Yields (example, None) for good questions, (None, reason) for bad ones.

  The whole file is checked first: its structure (every field a question
  needs) and that no question id appears twice (predictions and metrics
  are keyed by id).

  Args:
    path: a SQuAD-format JSON file: {"data": [{"paragraphs": [{"context",
      "qas": [{"id", "question", "answers": [{"text", "answer_start"}],
      "is_impossible"}]}]}]}.
    version_2_with_negative: allow questions without answers (SQuAD v2.0).

  Raises:
    ValueError: the file is not SQuAD-format JSON (the message names the
      file, the record and the field), or question ids repeat.
  """
  articles = _load_articles(path)
  _check_unique_ids(path, articles)
  for article in articles:
    for paragraph in article['paragraphs']:
      for qa in paragraph['qas']:
        yield check_question(paragraph['context'], qa, version_2_with_negative)


def _load_articles(path: str) -> list:
  """The file's "data" list, every record checked for the needed fields."""
  with tf.io.gfile.GFile(path) as f:
    try:
      top = json.load(f)
    except json.JSONDecodeError as e:
      raise ValueError(f'{path} is not JSON: {e}') from None
  if not isinstance(top, dict) or not isinstance(top.get('data'), list):
    raise ValueError(f'{path} is not SQuAD-format JSON: it needs a top-level '
                     'object with a "data" list of articles.')
  for a, article in enumerate(top['data']):
    _need(path, f'data[{a}]', article, 'paragraphs', list)
    for p, paragraph in enumerate(article['paragraphs']):
      where = f'data[{a}].paragraphs[{p}]'
      _need(path, where, paragraph, 'context', str)
      _need(path, where, paragraph, 'qas', list)
      for q, qa in enumerate(paragraph['qas']):
        _need(path, f'{where}.qas[{q}]', qa, 'id', (str, int))
        _need(path, f'{where}.qas[{q}] (id {qa["id"]!r})', qa, 'question',
              str)
  return top['data']


def _need(path: str, where: str, record: object, field: str, kind) -> None:
  """Raises ValueError unless `record[field]` exists and is of `kind`."""
  if not isinstance(record, dict):
    raise ValueError(f'{path}: {where} must be a JSON object, not '
                     f'{type(record).__name__}.')
  value = record.get(field)
  if value is None or isinstance(value, bool) or not isinstance(value, kind):
    names = kind.__name__ if isinstance(kind, type) else ' or '.join(
        k.__name__ for k in kind)
    found = 'missing' if field not in record else f'{value!r}'
    raise ValueError(f'{path}: {where} field "{field}" is {found}; it must '
                     f'be a {names}.')


def _check_unique_ids(path: str, articles: list) -> None:
  """Raises ValueError naming every question id that appears twice."""
  counts = collections.Counter(
      str(qa['id']) for article in articles
      for paragraph in article['paragraphs'] for qa in paragraph['qas'])
  repeated = sorted(i for i, n in counts.items() if n > 1)
  if repeated:
    shown = ', '.join(f'{i!r} ({counts[i]}x)' for i in repeated[:10])
    raise ValueError(
        f'{path}: {len(repeated)} question ids appear more than once: '
        f'{shown}{" ..." if len(repeated) > 10 else ""}. Predictions and '
        'metrics are keyed by id; give every question its own id.')


def check_question(context: str, qa: dict, version_2_with_negative: bool
                   ) -> Tuple[Optional[SquadExample], Optional[str]]:
  """Returns (example, None), or (None, reason) for a question to skip.

  Gold answers whose text is not at their `answer_start` are left out of the
  example (counted in `misaligned_answers`); the question is skipped only
  when none of its answers is aligned, as the official script scores a
  question against all its gold answers.

  Args:
    context: the paragraph text.
    qa: one entry of the paragraph's "qas" list.
    version_2_with_negative: allow questions without answers.
  """
  if not context.strip():
    return None, EMPTY_CONTEXT
  answers = qa.get('answers') or []
  impossible = bool(qa.get('is_impossible', False)) or not answers
  if impossible and not version_2_with_negative:
    return None, NO_ANSWER
  aligned = [a for a in answers if _is_aligned(context, a)]
  if not impossible and not aligned:
    return None, ANSWER_NOT_AT_OFFSET
  return SquadExample(
      qas_id=str(qa['id']), question=qa['question'], context=context,
      answers=() if impossible else tuple(a['text'] for a in aligned),
      answer_start=None if impossible else aligned[0]['answer_start'],
      is_impossible=impossible,
      misaligned_answers=0 if impossible else len(answers) - len(aligned)
  ), None


def _is_aligned(context: str, answer: object) -> bool:
  """Whether the answer's text is found at its answer_start in `context`."""
  if not isinstance(answer, dict):
    return False
  start, text = answer.get('answer_start'), answer.get('text')
  return (isinstance(start, int) and not isinstance(start, bool) and
          start >= 0 and isinstance(text, str) and bool(text) and
          context[start:start + len(text)] == text)


def answer_token_span(example: SquadExample, context: Tokenized
                      ) -> Optional[Tuple[int, int]]:
  """The first answer's (first, last) context token indices, inclusive.

  Returns None when no token overlaps the answer's characters. A token that
  only partly overlaps is included, so the span may hold a few more
  characters than the answer (as BPE joins them).
  """
  first_char = example.answer_start
  end_char = first_char + len(example.answers[0])
  inside = [i for i, (s, e) in enumerate(context.offsets)
            if s < end_char and e > first_char]
  if not inside:
    return None
  return inside[0], inside[-1]


def window_starts(num_context_tokens: int, budget: int,
                  doc_stride: int) -> List[int]:
  """First context token of each window; windows cover every token.

  Args:
    num_context_tokens: context length in tokens.
    budget: context tokens per window.
    doc_stride: context tokens between the starts of consecutive windows
      (steps are never longer than `budget`, so no token is left out).
  """
  starts = [0]
  while starts[-1] + budget < num_context_tokens:
    starts.append(starts[-1] + min(budget, doc_stride))
  return starts


def make_windows(example: SquadExample, question: Tokenized,
                 context: Tokenized, special: SpecialIds, max_seq_length: int,
                 max_query_length: int, doc_stride: int, is_training: bool
                 ) -> Tuple[List[Window], Optional[str]]:
  """Cuts one question and its context into windows.

  Args:
    example: the question.
    question, context: the tokenized question and context.
    special: the tokenizer's special ids.
    max_seq_length: T, the padded length of every window.
    max_query_length: questions with more tokens are skipped (never cut).
    doc_stride: context tokens between window starts.
    is_training: label the answer span in each window.

  Returns:
    (windows, None), or ([], reason) for a question to skip.
  """
  if len(question.ids) > max_query_length:
    return [], QUESTION_TOO_LONG
  span = None
  if is_training and not example.is_impossible:
    span = answer_token_span(example, context)
    if span is None:
      return [], ANSWER_OUTSIDE_TOKENS
  head = [special.cls, *question.ids, special.sep, special.sep]
  budget = max_seq_length - len(head) - 1
  windows = []
  for first in window_starts(len(context.ids), budget, doc_stride):
    last = min(first + budget, len(context.ids))  # exclusive
    ids = head + list(context.ids[first:last]) + [special.sep]
    mask = [GLOBAL] * (1 + len(question.ids)) + [LOCAL] * (
        len(ids) - 1 - len(question.ids))
    padding = max_seq_length - len(ids)
    window = Window(ids + [special.pad] * padding, mask + [0] * padding,
                    len(head), list(context.offsets[first:last]))
    if span is not None and first <= span[0] and span[1] < last:
      window.start_position = len(head) + span[0] - first
      window.end_position = len(head) + span[1] - first
    windows.append(window)
  return windows, None


def to_tf_example(window: Window, unique_id: Optional[int] = None
                  ) -> tf.train.Example:
  """The `tf.train.Example` Model Garden's `QuestionAnsweringDataLoader` reads.

  Args:
    window: the window.
    unique_id: for evaluation data, the window's id (`unique_ids`), which the
      features file maps back to its example; None for training data, which
      get `start_positions` and `end_positions` instead.
  """
  features = {
      'input_ids': _int64_feature(window.input_ids),
      'input_mask': _int64_feature(window.input_mask),
      'segment_ids': _int64_feature([0] * len(window.input_ids)),
  }
  if unique_id is None:
    features['start_positions'] = _int64_feature([window.start_position])
    features['end_positions'] = _int64_feature([window.end_position])
  else:
    features['unique_ids'] = _int64_feature([unique_id])
  return tf.train.Example(features=tf.train.Features(feature=features))


def eval_record(example: SquadExample, windows: Sequence[Window],
                unique_ids: Sequence[int]) -> dict:
  """One line of the evaluation features file (JSON lines).

  Returns:
    {"id", "context", "answers", "is_impossible", "features": [{"unique_id",
    "context_start", "offsets"}]}: what maps a window's predicted token span
    back to the context text (`squad_postprocess`).
  """
  return {
      'id': example.qas_id,
      'context': example.context,
      'answers': list(example.answers),
      'is_impossible': example.is_impossible,
      'features': [
          {'unique_id': uid, 'context_start': w.context_start,
           'offsets': [list(o) for o in w.offsets]}
          for uid, w in zip(unique_ids, windows)],
  }


def _int64_feature(values: Sequence[int]) -> tf.train.Feature:
  return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))
