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

"""`utils/predict.py`'s work: load, window, predict, write, summarize.

QA models write `predictions.json` ({question id: answer text}, SQuAD's
format, as `train.py --mode=eval` writes it); classifiers write
`labels.jsonl` (per document: id, label, probabilities by class name). The
output file is written to a staging folder and moved into `output_dir`
only when complete; an existing one is refused unless `overwrite`.
"""
import dataclasses
import json
import os
import sys
import time
from typing import Dict, Optional, Sequence

from longformer.data import squad
from longformer.data import tokenizer as tokenizer_lib
from longformer.files import staged_output
from longformer.inference import classification
from longformer.inference import loading
from longformer.inference import question_answering
from longformer.serving import saved_model_export

PREDICTIONS_FILE = 'predictions.json'
LABELS_FILE = 'labels.jsonl'
# The SQuAD tool's --doc_stride default, used when the model does not say.
DEFAULT_DOC_STRIDE = 128


@dataclasses.dataclass
class Request:
  """What to predict, from the CLI's flags (None: the model's own value)."""
  model: str
  tokenizer: str
  output_dir: str
  squad_json: Optional[str] = None
  question: Optional[str] = None
  context_file: Optional[str] = None
  documents: Optional[str] = None
  max_seq_length: Optional[int] = None
  doc_stride: Optional[int] = None
  max_query_length: Optional[int] = None
  label_names: Optional[Sequence[str]] = None
  batch_size: int = 8
  overwrite: bool = False


def run(request: Request) -> str:
  """Predicts and writes the output; returns the verdict line.

  Raises:
    ValueError, OSError, FileNotFoundError: bad input, named in the message.
    staged_output.OutputExistsError: the output exists and not `overwrite`.
  """
  start = time.time()
  qa = bool(request.squad_json or request.question or request.context_file)
  if qa == bool(request.documents):
    raise ValueError('Pass --squad_json, or --question with --context_file, '
                     '(a QA model) or --documents (a classifier).')
  name = PREDICTIONS_FILE if qa else LABELS_FILE
  output_path = os.path.join(os.path.abspath(request.output_dir), name)
  staged_output.refuse_existing([output_path], request.overwrite)
  model = loading.load_model(request.model)
  want = (saved_model_export.QUESTION_ANSWERING if qa else
          saved_model_export.CLASSIFIER)
  if model.config['kind'] != want:
    raise ValueError(f'--model={request.model} is a {model.config["kind"]} '
                     f'model; these inputs need a {want} model.')
  tokenizer = _tokenizer(request.tokenizer, model.config)
  print(f'Loaded {model.source} ({want}, {model.config["seq_length"]} '
        'tokens per window).', file=sys.stderr, flush=True)
  if qa:
    value, summary = _answer(request, model, tokenizer)
  else:
    value, summary = _classify(request, model, tokenizer)
  _write(output_path, value, request.overwrite)
  return (f'OK: {summary} in {time.time() - start:.0f} s; results in '
          f'{output_path}')


def _tokenizer(name: str, config: Dict):
  """The tokenizer, checked against the model's vocabulary."""
  tokenizer = tokenizer_lib.load_tokenizer(name)
  if not tokenizer.is_fast:
    raise ValueError(f'--tokenizer={name} is not a fast tokenizer; answers '
                     'need its character offsets (tokenizer.json).')
  if len(tokenizer) > config['vocab_size']:
    raise ValueError(
        f'--tokenizer={name} has {len(tokenizer)} tokens but the model\'s '
        f'vocabulary has {config["vocab_size"]}: pass the tokenizer the '
        'model was trained with.')
  return tokenizer


def _progress(what: str):
  """A progress callback printing at most about 20 lines per run."""
  printed = [-1]

  def report(done: int, total: int):
    step = done * 20 // max(total, 1)
    if step != printed[0]:
      printed[0] = step
      print(f'  {what} {done}/{total}', file=sys.stderr, flush=True)
  return report


def _answer(request: Request, model, tokenizer):
  config = model.config
  settings = question_answering.Settings(
      max_seq_length=_first_given(request.max_seq_length,
                                  config['seq_length']),
      doc_stride=_first_given(request.doc_stride, config.get('doc_stride'),
                              DEFAULT_DOC_STRIDE),
      max_query_length=_first_given(request.max_query_length,
                                    config.get('max_query_length'),
                                    config['global_attention_size'] - 1),
      n_best_size=config['n_best_size'],
      max_answer_length=config['max_answer_length'],
      version_2_with_negative=config['version_2_with_negative'],
      null_score_diff_threshold=config['null_score_diff_threshold'])
  _check_qa_settings(settings, config)
  if request.squad_json:
    questions = question_answering.questions_from_json(request.squad_json)
  else:
    if not (request.question and request.context_file):
      raise ValueError('--question and --context_file go together.')
    with open(request.context_file, encoding='utf-8') as f:
      questions = question_answering.one_question(request.question, f.read())
  result = question_answering.answer(
      model.predict, tokenizer, questions, settings, request.batch_size,
      _progress('windows'))
  if not result.predictions:
    raise ValueError(f'No question could be answered; skipped: '
                     f'{_counts(result.skipped)}.')
  return result.predictions, (
      f'{len(result.predictions)} questions answered ({result.num_windows} '
      f'windows of {settings.max_seq_length} tokens, doc_stride '
      f'{settings.doc_stride}); skipped: {_counts(result.skipped)}')


def _check_qa_settings(settings, config):
  for name in ('max_seq_length', 'doc_stride', 'max_query_length'):
    if getattr(settings, name) < 1:
      raise ValueError(f'--{name}={getattr(settings, name)} must be a '
                       'positive integer.')
  if (config['global_tokens'] == 'marked' and
      settings.max_query_length + 1 > config['global_attention_size']):
    raise ValueError(
        f'--max_query_length={settings.max_query_length} marks up to '
        f'{settings.max_query_length + 1} global tokens (<s> + question), '
        f'more than the model\'s global_attention_size='
        f'{config["global_attention_size"]}; lower it to '
        f'{config["global_attention_size"] - 1}.')
  if settings.max_seq_length < (settings.max_query_length + 1 +
                                squad.NUM_SPECIAL_TOKENS):
    raise ValueError(f'--max_seq_length={settings.max_seq_length} leaves no '
                     'room for context after the question.')


def _classify(request: Request, model, tokenizer):
  config = model.config
  names = request.label_names or config.get('label_names')
  if names is not None and len(names) != config['num_classes']:
    raise ValueError(f'--label_names has {len(names)} names but the model '
                     f'has {config["num_classes"]} classes.')
  if config['global_tokens'] == 'marked':
    raise ValueError('This classifier reads marked global tokens '
                     '(input_mask 2), which documents do not carry.')
  max_seq_length = _first_given(request.max_seq_length, config['seq_length'])
  if max_seq_length < 1:
    raise ValueError(f'--max_seq_length={max_seq_length} must be a positive '
                     'integer.')
  docs, ignored = classification.read_documents(request.documents)
  result = classification.classify(
      model.predict, tokenizer, docs, max_seq_length, names,
      request.batch_size, _progress('documents'))
  skipped = dict(result.skipped, **ignored)
  if not result.rows:
    raise ValueError(f'No document to classify in {request.documents}; '
                     f'skipped: {_counts(skipped)}.')
  return result.rows, (
      f'{len(result.rows)} documents labelled ({result.num_cut} cut to '
      f'{max_seq_length} tokens); skipped: {_counts(skipped)}')


def _first_given(*values):
  """The first value that is not None: a flag of 0 is the user's, not a
  request for the default (it is then refused by the range checks)."""
  return next(v for v in values if v is not None)


def _counts(skipped: Dict[str, int]) -> str:
  return ', '.join(f'{n} {r}' for r, n in sorted(skipped.items()) if n) or (
      'none')


def _write(output_path: str, value, overwrite: bool) -> None:
  """Writes `value` (dict: JSON; list: JSON lines) via the staging folder."""
  with staged_output.staged(os.path.dirname(output_path), (),
                            overwrite) as stage:
    with open(stage.staged_path(output_path), 'w', encoding='utf-8') as f:
      if isinstance(value, dict):
        json.dump(value, f, indent=1, ensure_ascii=False)
      else:
        f.writelines(json.dumps(row, ensure_ascii=False) + '\n'
                     for row in value)
    stage.publish()
