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

"""Start / end logits of QA windows -> answer texts -> exact match and F1.

The evaluation features file (`utils/squad_to_tfrecord.py` writes it, one
JSON line per question; see `squad.eval_record`) keeps, for every window,
the character offsets of its context tokens. A predicted token span
[start, end] of a window becomes `context[offsets[start - context_start][0]
: offsets[end - context_start][1]]`, a substring of the original context.

Scores are Model Garden's (and BERT's): a span scores start_logit +
end_logit; the best span over all windows of a question wins. For SQuAD v2.0
the no-answer score is the lowest `<s>` score (position 0) over the windows;
the question gets "" when that beats the best span by more than the
threshold. Exact match and F1 come from Model Garden's
`squad_evaluate_v1_1` / `squad_evaluate_v2_0`.
"""
import json
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

import numpy as np
import tensorflow as tf

from official.nlp.tools import squad_evaluate_v1_1
from official.nlp.tools import squad_evaluate_v2_0

from longformer.data import json_lines


class SpanScore(NamedTuple):
  """A candidate answer: its score and character span [start, end)."""
  score: float
  start_char: int
  end_char: int


# The fields `predict_answers` reads from each line of the features file.
_FEATURE_FIELDS = ('id', 'context', 'answers', 'features')
_FEATURE_LINE = ('{"id": ..., "context": ..., "answers": [...], '
                 '"is_impossible": ..., "features": [{"unique_id": ..., '
                 '"context_start": ..., "offsets": [...]}]}')
_WHICH_FILE = ('Is task.validation_features_path the eval_features.jsonl '
               'that utils/squad_to_tfrecord.py wrote next to the eval '
               'TFRecord?')


def read_eval_features(path: str) -> List[dict]:
  """Reads the evaluation features file (JSON lines) into a list of dicts.

  Raises:
    ValueError: a line that is not a JSON object with the fields of a
      features line, or a file that is not text; naming the file, the line
      and `task.validation_features_path`.
  """
  examples = []
  try:
    with tf.io.gfile.GFile(path) as f:
      for line_number, row in json_lines.read_objects(f, path,
                                                      _FEATURE_LINE):
        missing = [k for k in _FEATURE_FIELDS if k not in row]
        if missing:
          raise ValueError(f'{path}:{line_number}: no {", ".join(missing)} '
                           'field: not a line of an evaluation features '
                           'file.')
        examples.append(row)
  except UnicodeDecodeError as e:
    raise ValueError(f'{path}: not a text file ({e}). {_WHICH_FILE}'
                     ) from None
  except ValueError as e:
    raise ValueError(f'{e} {_WHICH_FILE}') from None
  return examples


def file_summary(features_path: str) -> str:
  """How many questions the SQuAD file behind `features_path` had.

  Reads `meta_data.json` beside the features file (squad_to_tfrecord.py
  writes both); returns a sentence for the evaluation's log line.
  """
  meta_path = features_path.rsplit('/', 1)[0] + '/meta_data.json'
  if '/' not in features_path or not tf.io.gfile.exists(meta_path):
    return 'no meta_data.json beside it to count the SQuAD file\'s questions'
  with tf.io.gfile.GFile(meta_path) as f:
    split = json.load(f).get('splits', {}).get('eval', {})
  if 'questions_in_file' not in split:
    return f'{meta_path} does not count the SQuAD file\'s questions'
  skipped = sum(split.get('skipped', {}).values())
  return (f'{split["questions_in_file"]} in the SQuAD file {split["input"]} '
          f'({skipped} skipped when writing: {split.get("skipped")}; '
          f'{split.get("answers_not_at_offset", 0)} misaligned gold answers '
          'left out)')


def best_span(start_logits: np.ndarray, end_logits: np.ndarray,
              feature: Mapping, n_best_size: int,
              max_answer_length: int) -> Optional[SpanScore]:
  """The best span of one window that lies in its context.

  Args:
    start_logits, end_logits: float [T], the window's logits.
    feature: the window's entry of the features file ("context_start",
      "offsets").
    n_best_size: candidate starts and ends tried (the top this many of each).
    max_answer_length: longest span, in tokens.

  Returns:
    The best span, or None if no candidate lies in the context.
  """
  first = feature['context_start']
  offsets = feature['offsets']
  last = first + len(offsets) - 1  # the window's last context token
  best = None
  for start in np.argsort(start_logits)[::-1][:n_best_size]:
    for end in np.argsort(end_logits)[::-1][:n_best_size]:
      if not first <= start <= end <= last:
        continue
      if end - start + 1 > max_answer_length:
        continue
      score = float(start_logits[start] + end_logits[end])
      if best is None or score > best.score:
        best = SpanScore(score, offsets[start - first][0],
                         offsets[end - first][1])
  return best


def predict_answers(
    examples: Iterable[Mapping],
    logits: Mapping[int, Tuple[np.ndarray, np.ndarray]],
    n_best_size: int, max_answer_length: int, version_2_with_negative: bool,
    null_score_diff_threshold: float
) -> Tuple[Dict[str, str], Dict[str, float], int]:
  """Picks each question's answer text.

  Args:
    examples: the features file's entries.
    logits: {unique_id: (start_logits float [T], end_logits float [T])}.
    n_best_size, max_answer_length: as in `best_span`.
    version_2_with_negative: allow the answer "" (no answer).
    null_score_diff_threshold: answer "" when the no-answer score minus the
      best span's score exceeds this.

  Returns:
    (predictions {id: text}, scores_diff {id: no-answer score minus best span
    score}, number of questions left out because some of their windows have
    no logits).
  """
  predictions, scores_diff, left_out = {}, {}, 0
  for example in examples:
    windows = example['features']
    if any(w['unique_id'] not in logits for w in windows):
      left_out += 1
      continue
    spans = [best_span(*logits[w['unique_id']], w, n_best_size,
                       max_answer_length) for w in windows]
    spans = [s for s in spans if s is not None]
    best = max(spans, key=lambda s: s.score) if spans else None
    null = min(float(logits[w['unique_id']][0][0] +
                     logits[w['unique_id']][1][0]) for w in windows)
    diff = null - best.score if best else float('inf')
    scores_diff[example['id']] = diff
    if best is None or (version_2_with_negative and
                        diff > null_score_diff_threshold):
      predictions[example['id']] = ''
    else:
      predictions[example['id']] = example['context'][
          best.start_char:best.end_char]
  return predictions, scores_diff, left_out


def squad_dataset(examples: Iterable[Mapping]) -> List[dict]:
  """The examples as the "data" list of a SQuAD JSON, for the evaluators."""
  return [{'paragraphs': [{'qas': [
      {'id': e['id'], 'answers': [{'text': t} for t in e['answers']]}
      for e in examples]}]}]


def evaluate(examples: List[Mapping], predictions: Mapping[str, str],
             scores_diff: Mapping[str, float],
             version_2_with_negative: bool) -> Dict[str, float]:
  """Exact match and F1 of `predictions`, both in [0, 1].

  Only the questions in `predictions` are scored.

  Returns:
    {'exact_match', 'final_f1'}; for v2.0 also 'exact_match_threshold' and
    'f1_threshold' (the best no-answer thresholds on `scores_diff` that
    Model Garden's v2.0 evaluation finds) and 'has_answer_exact_match',
    'has_answer_f1' (in [0, 1], over the questions that have an answer).
  """
  scored = [e for e in examples if e['id'] in predictions]
  if not version_2_with_negative:
    metrics = squad_evaluate_v1_1.evaluate(squad_dataset(scored), predictions)
    return {'exact_match': metrics['exact_match'],
            'final_f1': metrics['final_f1']}
  # Scored as predicted (the threshold above already chose the "" answers);
  # the second pass only searches the best threshold on `scores_diff`.
  metrics = squad_evaluate_v2_0.evaluate(squad_dataset(scored), predictions)
  tuned = squad_evaluate_v2_0.evaluate(
      squad_dataset(scored), predictions, dict(scores_diff))
  return {
      'exact_match': metrics['exact'] / 100.0,
      'final_f1': metrics['f1'] / 100.0,
      'exact_match_threshold': tuned['final_exact_thresh'],
      'f1_threshold': tuned['final_f1_thresh'],
      'has_answer_exact_match': metrics.get('HasAns_exact', 0.0) / 100.0,
      'has_answer_f1': metrics.get('HasAns_f1', 0.0) / 100.0,
  }
