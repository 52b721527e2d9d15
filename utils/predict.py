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

r"""Answers questions or labels documents with a trained model, from raw text.

  # A QA model (a train.py --model_dir of longformer/squad, or its export):
  python3 utils/predict.py --model=/tmp/squad_model \
    --tokenizer=allenai/longformer-base-4096 --squad_json=dev-v1.1.json \
    --output_dir=/tmp/answers
  python3 utils/predict.py --model=/tmp/squad_serving/1 --tokenizer=... \
    --question='Who wrote it?' --context_file=report.txt --output_dir=...
  # A document classifier (longformer/glue on the document tool's records):
  python3 utils/predict.py --model=/tmp/imdb_model --tokenizer=... \
    --documents=reviews/ --output_dir=/tmp/labels

Long contexts are cut into windows as `utils/squad_to_tfrecord.py` cuts
them (`--doc_stride`, `--max_query_length`; by default the values the
model's training data were made with, from the data tool's metadata), and
answers are picked as `train.py --mode=eval` picks them
(`longformer/inference/`). Writes `<output_dir>/predictions.json`
({question id: answer}) or `<output_dir>/labels.jsonl` (id, label,
probabilities per document); an existing one is refused unless
`--overwrite`.
"""
import os
import sys

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf

from longformer.inference import predict
# pylint: enable=g-import-not-at-top,wrong-import-position

# This CLI's own flags, not absl's global FLAGS: `main(argv)` parses them, so
# tests call it in process and its names never clash with another module's.
_FLAGS = flags.FlagValues()


def _define(define, name, default, help_text):
  return define(name, default, help_text, flag_values=_FLAGS)


_MODEL = _define(
    flags.DEFINE_string, 'model', None,
    'A train.py --model_dir (params.yaml + checkpoint) or a SavedModel from '
    'utils/export_saved_model.py.')
_TOKENIZER = _define(
    flags.DEFINE_string, 'tokenizer', None,
    'The tokenizer the model was trained with: a hub name or a local '
    'directory (as the data tools take it).')
_OUTPUT_DIR = _define(flags.DEFINE_string, 'output_dir', None,
                      'Where predictions.json / labels.jsonl go.')
_SQUAD_JSON = _define(flags.DEFINE_string, 'squad_json', None,
                      'SQuAD-format questions to answer.')
_QUESTION = _define(flags.DEFINE_string, 'question', None,
                    'One question (with --context_file).')
_CONTEXT_FILE = _define(flags.DEFINE_string, 'context_file', None,
                        "A UTF-8 text file: the question's context.")
_DOCUMENTS = _define(
    flags.DEFINE_string, 'documents', None,
    'Documents to classify: a folder of .txt files or a JSONL file of '
    '{"text": ..., "id": ...}.')
_MAX_SEQ_LENGTH = _define(
    flags.DEFINE_integer, 'max_seq_length', None,
    "Tokens per window (QA) or document; default: the model's evaluation "
    'length.')
_DOC_STRIDE = _define(
    flags.DEFINE_integer, 'doc_stride', None,
    "Context tokens between window starts; default: the training data's, "
    f'else {predict.DEFAULT_DOC_STRIDE}.')
_MAX_QUERY_LENGTH = _define(
    flags.DEFINE_integer, 'max_query_length', None,
    "Longer questions are skipped and counted; default: the training data's, "
    'else global_attention_size - 1.')
_LABEL_NAMES = _define(
    flags.DEFINE_list, 'label_names', None,
    "Class names in class-index order; default: the data tool's metadata, "
    'else 0, 1, ...')
_BATCH_SIZE = _define(flags.DEFINE_integer, 'batch_size', 8,
                      'Windows or documents per model call.')
_OVERWRITE = _define(flags.DEFINE_bool, 'overwrite', False,
                     'Replace an existing output file.')


def main(argv):
  """Parses `argv` (program name first) and predicts.

  Raises:
    SystemExit: on bad flags or input (the message says what and how to fix).
  """
  if any(a in ('-h', '--help', '--helpfull') for a in argv[1:]):
    print(__doc__ + '\nFlags:\n' + _FLAGS.get_help())
    return
  if _FLAGS.is_parsed():
    _FLAGS.unparse_flags()
  try:
    rest = _FLAGS(argv)
  except flags.Error as e:
    sys.exit(f'error: {e}')
  if len(rest) > 1:
    sys.exit(f'error: unexpected arguments: {rest[1:]}')
  if not (_MODEL.value and _TOKENIZER.value and _OUTPUT_DIR.value):
    sys.exit('error: pass --model, --tokenizer and --output_dir.')
  request = predict.Request(
      model=_MODEL.value, tokenizer=_TOKENIZER.value,
      output_dir=_OUTPUT_DIR.value, squad_json=_SQUAD_JSON.value,
      question=_QUESTION.value, context_file=_CONTEXT_FILE.value,
      documents=_DOCUMENTS.value, max_seq_length=_MAX_SEQ_LENGTH.value,
      doc_stride=_DOC_STRIDE.value, max_query_length=_MAX_QUERY_LENGTH.value,
      label_names=_LABEL_NAMES.value, batch_size=_BATCH_SIZE.value,
      overwrite=_OVERWRITE.value)
  try:
    print(predict.run(request))
  except (ValueError, OSError) as e:
    print(f'FAILED: nothing was written to {_OUTPUT_DIR.value}.')
    sys.exit(f'error: {e}')
  except tf.errors.InvalidArgumentError as e:  # A SavedModel's input checks.
    print(f'FAILED: nothing was written to {_OUTPUT_DIR.value}.')
    sys.exit(f'error: the model refused its input: {e.message}')


if __name__ == '__main__':
  # absl's global flags are left at their defaults; main parses its own.
  app.run(main, flags_parser=lambda argv: (flags.FLAGS(argv[:1]), argv)[1])
