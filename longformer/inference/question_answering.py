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

"""Answers from raw text: SQuAD-format questions -> {question id: answer}.

The questions are windowed exactly as `utils/squad_to_tfrecord.py` windows
evaluation data (`longformer.data.squad`: same tokenization, windows of
`<s> question </s></s> context </s>` with `<s>` and the question marked
global), the model gives start and end logits per window, and
`longformer.data.squad_postprocess` picks each answer as `train.py
--mode=eval` does. Gold answers are not needed: a question without one is
answered too.
"""
import collections
import dataclasses
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from longformer.data import squad
from longformer.data import squad_postprocess
from longformer.inference import batching


@dataclasses.dataclass(frozen=True)
class Settings:
  """How to window the text and pick answers.

  Attributes:
    max_seq_length: tokens per window (the model's length).
    doc_stride: context tokens between window starts.
    max_query_length: longer questions are skipped (counted, never cut).
    n_best_size: candidate starts and ends tried per window.
    max_answer_length: longest answer, in tokens.
    version_2_with_negative: the answer may be "" (no answer).
    null_score_diff_threshold: answer "" above this (SQuAD v2.0).
  """
  max_seq_length: int
  doc_stride: int
  max_query_length: int
  n_best_size: int
  max_answer_length: int
  version_2_with_negative: bool = False
  null_score_diff_threshold: float = 0.0


@dataclasses.dataclass
class Result:
  """Predictions and what happened on the way.

  Attributes:
    predictions: {question id: answer text}.
    num_windows: model inputs run.
    skipped: {reason: questions skipped for it} (see `squad.SKIP_REASONS`).
  """
  predictions: Dict[str, str]
  num_windows: int
  skipped: Dict[str, int]


def questions_from_json(path: str) -> Iterable[Tuple[Optional[
    squad.SquadExample], Optional[str]]]:
  """The questions of a SQuAD-format file, read as the SQuAD tool reads them.

  Questions without answers are kept (they are what a user asks); a gold
  answer that is not at its `answer_start` skips its question, as in the
  tool, and is counted.
  """
  return squad.read_squad(path, version_2_with_negative=True)


def one_question(question: str, context: str,
                 qas_id: str = 'question') -> List[Tuple[
                     Optional[squad.SquadExample], Optional[str]]]:
  """A single question about `context`, as `questions_from_json` yields."""
  return [squad.check_question(context, {'id': qas_id, 'question': question},
                               True)]


def answer(predict: Callable, tokenizer, questions: Iterable[Tuple],
           settings: Settings, batch_size: int,
           progress: Callable[[int, int], None]) -> Result:
  """Answers each question.

  Args:
    predict: (input_word_ids, input_mask) int32 [B, T] -> {'start_logits',
      'end_logits': float32 [B, T]}.
    tokenizer: the model's fast HuggingFace tokenizer.
    questions: (example, None) or (None, skip reason) pairs.
    settings: windowing and answer settings.
    batch_size: windows per model call.
    progress: called with (windows done, windows in all).

  Returns:
    The predictions, the window count and the skip counts.

  Raises:
    ValueError: two questions share an id (predictions are keyed by id).
  """
  records, windows, skipped = _window(tokenizer, questions, settings)
  if not windows:
    return Result({}, 0, dict(skipped))
  outputs = batching.run_batches(
      predict, [w.input_ids for w in windows], [w.input_mask for w in windows],
      batch_size, progress)
  logits = dict(enumerate(zip(outputs['start_logits'],
                              outputs['end_logits'])))
  predictions, _, left_out = squad_postprocess.predict_answers(
      records, logits, settings.n_best_size, settings.max_answer_length,
      settings.version_2_with_negative, settings.null_score_diff_threshold)
  if left_out:
    raise AssertionError(f'{left_out} questions lost windows on the way.')
  return Result(predictions, len(windows), dict(skipped))


def _window(tokenizer, questions, settings: Settings):
  """(features-file records, windows, skip counts) of the questions."""
  special = squad.SpecialIds(tokenizer.cls_token_id, tokenizer.sep_token_id,
                             tokenizer.pad_token_id)
  records, windows, skipped = [], [], collections.Counter()
  seen, context, context_tokens = set(), None, None
  for example, reason in questions:
    if example is not None:
      if example.qas_id in seen:
        raise ValueError(
            f'Question id {example.qas_id!r} appears twice; answers are keyed '
            'by id, so give every question its own id.')
      seen.add(example.qas_id)
      if example.context != context:  # questions share their paragraph
        context = example.context
        context_tokens = squad.tokenize(tokenizer, context)
      example_windows, reason = squad.make_windows(
          example, squad.tokenize_question(tokenizer, example),
          context_tokens, special, settings.max_seq_length,
          settings.max_query_length, settings.doc_stride, is_training=False)
    if reason:
      skipped[reason] += 1
      continue
    uids = range(len(windows), len(windows) + len(example_windows))
    records.append(squad.eval_record(example, example_windows, uids))
    windows.extend(example_windows)
  return records, windows, skipped
