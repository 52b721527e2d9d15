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

r"""Raw text -> masked-LM pretraining TFRecords on a RoBERTa BPE vocabulary.

  python3 utils/create_pretraining_data.py --input=corpus.txt,more_texts/ \
    --tokenizer=allenai/longformer-base-4096 --max_seq_length=4096 \
    --output_file=pretraining/train.tf_record

`--input` is a comma-separated list of text files and directories (their
`*.txt` files, sorted). With `--documents=line` (the default) every
non-empty line is a document; with `--documents=file` every file is one.
Documents become `<s> ... </s>` and are packed whole into sequences of at most
`--max_seq_length` tokens (a longer document is cut into wrapped pieces),
padded with the tokenizer's pad id; `--masked_lm_prob` of the non-special
tokens (at most `--max_predictions_per_seq`) are predicted with the 80/10/10
rule and the tokenizer's `<mask>`. The features are the ones
`longformer/pretraining` reads (`use_next_sentence_label: false`). Text that
spells a special token (`<s>`, `</s>`, `<pad>`, `<mask>`) stays text. The
file appears only once complete and read back; an existing --output_file is
refused unless --overwrite.
"""
import dataclasses
import os
import sys
import time

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=g-import-not-at-top,wrong-import-position
from longformer.data import pretraining_records
# pylint: enable=g-import-not-at-top,wrong-import-position

FLAGS = flags.FLAGS
flags.DEFINE_list('input', None, 'Text files and directories of *.txt.')
flags.DEFINE_string('output_file', None, 'The TFRecord file to write.')
flags.DEFINE_string('tokenizer', 'allenai/longformer-base-4096',
                    'HF hub name or save_pretrained directory of a '
                    'RoBERTa-style BPE tokenizer.')
flags.DEFINE_enum('documents', 'line', ['line', 'file'],
                  'A document is a line, or a whole file.')
flags.DEFINE_integer('max_seq_length', 4096, 'Tokens per sequence.')
flags.DEFINE_integer('max_predictions_per_seq', 614,
                     'Predicted positions per sequence at most '
                     '(round(4096 x 0.15) = 614).')
flags.DEFINE_float('masked_lm_prob', 0.15,
                   'Fraction of the non-special tokens predicted.')
flags.DEFINE_integer('dupe_factor', 1,
                     'Masked copies of each sequence, each masked anew.')
flags.DEFINE_integer('seed', 12345, 'Seed of the masking.')
flags.DEFINE_integer('log_every', 1000, 'Progress every this many '
                     'documents.')
flags.DEFINE_bool('overwrite', False, 'Replace an existing --output_file; '
                  'without it an existing file is refused.')
flags.mark_flags_as_required(['input', 'output_file'])


def _report(options, counts, seconds):
  for name, value in counts.items():
    print(f'{name}: {value}')
  capacity = counts['sequences'] * options.max_seq_length
  print(f'padding: {counts["padding tokens"] / capacity:.1%} of '
        f'{capacity} token slots; {seconds:.1f} s')
  if counts['sequences capped at max_predictions_per_seq']:
    print('NOTE: some sequences predict fewer than --masked_lm_prob of their '
          'tokens; raise --max_predictions_per_seq to '
          f'{round(options.max_seq_length * options.masked_lm_prob)}.')
  print(f'Done: {counts["examples"]} examples ({counts["documents"]} '
        f'documents) in {options.output_file}; set max_predictions_per_seq: '
        f'{options.max_predictions_per_seq} and seq_length: '
        f'{options.max_seq_length} in the data config.')


def main(argv):
  del argv
  options = pretraining_records.Options(**{
      f.name: FLAGS[f.name].value
      for f in dataclasses.fields(pretraining_records.Options)})
  start = time.time()
  try:
    counts = pretraining_records.create(options)
  except (ValueError, OSError, ImportError) as e:
    raise SystemExit(f'error: {e}') from e
  _report(options, counts, time.time() - start)


if __name__ == '__main__':
  app.run(main)
