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

r"""Tokenizes SQuAD-format JSON into TFRecords for `longformer/squad`.

Each question and its context become one or more windows of
`<s> question </s></s> context </s>`, `--max_seq_length` tokens each (long
contexts are split, `--doc_stride` context tokens apart), with `input_mask`
2 on `<s>` and the question tokens (the global tokens), 1 on the other real
tokens and 0 on padding (`longformer/data/squad.py`). Writes, in
`--output_dir`:

  train.tf_record       (--train_file) input_ids, input_mask, segment_ids,
                        start_positions, end_positions
  eval.tf_record        (--eval_file) input_ids, input_mask, segment_ids,
                        unique_ids
  eval_features.jsonl   (--eval_file) per question: id, context, answers and
                        each window's token -> character offsets
  meta_data.json        counts, skips by reason, and the global_attention_size
                        the model needs (1 + --max_query_length)

Questions that cannot be written correctly are skipped and counted by
reason, never cut: an answer whose text is not at its answer_start, a
question longer than --max_query_length tokens, an empty context, a question
without an answer in a v1.1 file; a gold answer not at its answer_start is
left out of its question (counted), which is kept while one answer is
aligned. A file with a malformed record or a repeated question id is
refused. All files appear together, only when every split succeeded; an
existing output set is refused unless --overwrite, which replaces it whole.

  python3 utils/squad_to_tfrecord.py --train_file=train-v1.1.json \
    --eval_file=dev-v1.1.json --tokenizer=allenai/longformer-base-4096 \
    --max_seq_length=4096 --doc_stride=1024 --max_query_length=64 \
    --output_dir=squad_tfrecords
"""
import os
import sys

from absl import app
from absl import flags

# Let `python3 utils/squad_to_tfrecord.py` run from a checkout uninstalled.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable-next=g-import-not-at-top,wrong-import-position
from longformer.data import squad_records

_TRAIN_FILE = flags.DEFINE_string('train_file', None,
                                  'SQuAD-format JSON to train on.')
_EVAL_FILE = flags.DEFINE_string('eval_file', None,
                                 'SQuAD-format JSON to evaluate on.')
_TOKENIZER = flags.DEFINE_string(
    'tokenizer', 'allenai/longformer-base-4096',
    'A HuggingFace hub name or a local `save_pretrained` directory of a fast '
    '(offset-returning) RoBERTa-style BPE tokenizer.')
_MAX_SEQ_LENGTH = flags.DEFINE_integer(
    'max_seq_length', 4096, 'Tokens per window, special tokens included.')
_DOC_STRIDE = flags.DEFINE_integer(
    'doc_stride', 128, 'Context tokens between the starts of two windows.')
_MAX_QUERY_LENGTH = flags.DEFINE_integer(
    'max_query_length', 64,
    'Questions with more tokens are skipped and counted (not truncated).')
_GLOBAL_ATTENTION_SIZE = flags.DEFINE_integer(
    'global_attention_size', None,
    "If set, the model's global_attention_size: the tool refuses a "
    '--max_query_length that would mark more than this many global tokens.')
_VERSION_2 = flags.DEFINE_bool(
    'version_2_with_negative', False,
    'SQuAD v2.0: questions without an answer are kept (answer: <s>).')
_OUTPUT_DIR = flags.DEFINE_string('output_dir', None, 'Where to write.')
_OVERWRITE = flags.DEFINE_bool(
    'overwrite', False,
    'Replace an existing output set in --output_dir (*.tf_record, '
    'eval_features.jsonl, meta_data.json), stale files of earlier runs '
    'included; without it an existing output is refused.')
_LOG_EVERY = flags.DEFINE_integer('log_every', 10000,
                                  'Log progress every this many questions.')


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {argv[1:]}')
  splits = {s: p for s, p in (('train', _TRAIN_FILE.value),
                              ('eval', _EVAL_FILE.value)) if p}
  if not splits or not _OUTPUT_DIR.value:
    sys.exit('error: pass --output_dir and --train_file and/or --eval_file.')
  args = dict(max_seq_length=_MAX_SEQ_LENGTH.value,
              doc_stride=_DOC_STRIDE.value,
              max_query_length=_MAX_QUERY_LENGTH.value,
              version_2_with_negative=_VERSION_2.value,
              log_every=_LOG_EVERY.value)
  try:
    metadata = squad_records.convert(
        splits, _TOKENIZER.value, _OUTPUT_DIR.value, args,
        _GLOBAL_ATTENTION_SIZE.value, _OVERWRITE.value)
  except (ValueError, OSError, ImportError) as e:
    sys.exit(f'error: {e}')
  for split, info in metadata['splits'].items():
    skipped = ', '.join(f'{n} {r}' for r, n in info['skipped'].items())
    print(f'{split}: {info["questions"]} of {info["questions_in_file"]} '
          f'questions -> {info["windows"]} windows '
          f'({info["windows_without_answer"]} without the answer); '
          f'skipped: {skipped}; {info["answers_not_at_offset"]} gold answers '
          'not at their answer_start left out')
  print(f'OK: wrote {", ".join(metadata["splits"])} to {_OUTPUT_DIR.value} '
        f'(model needs global_tokens=marked, global_attention_size >= '
        f'{metadata["global_attention_size"]}).')


if __name__ == '__main__':
  app.run(main)
