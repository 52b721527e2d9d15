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

"""Raw text -> masked-LM pretraining TFRecords (`create`).

What `utils/create_pretraining_data.py` runs (its docstring describes the
layout): documents are tokenized with the shared loader (special-token text
stays text), packed and masked (`pretraining`), and the file is written
staged and read back (`files.staged_output`).
"""
import dataclasses
import glob
import os

import numpy as np
import tensorflow as tf

from longformer.data import pretraining
from longformer.data import tokenizer as tokenizer_lib
from longformer.files import staged_output


@dataclasses.dataclass
class Options:
  """The CLI's flags (see their help)."""
  input: list
  output_file: str
  tokenizer: str = 'allenai/longformer-base-4096'
  documents: str = 'line'
  max_seq_length: int = 4096
  max_predictions_per_seq: int = 614
  masked_lm_prob: float = 0.15
  dupe_factor: int = 1
  seed: int = 12345
  log_every: int = 1000
  overwrite: bool = False


def _validate(options):
  problems = []
  if options.max_seq_length < 3:
    problems.append(f'--max_seq_length={options.max_seq_length} must be >= 3 '
                    '(<s>, a token, </s>).')
  if not 0 < options.masked_lm_prob <= 1:
    problems.append(f'--masked_lm_prob={options.masked_lm_prob} must be in '
                    '(0, 1].')
  if options.max_predictions_per_seq < 1:
    problems.append('--max_predictions_per_seq must be >= 1.')
  if options.dupe_factor < 1:
    problems.append('--dupe_factor must be >= 1.')
  if problems:
    raise ValueError('\n'.join(problems))


def _input_files(specs):
  """The files named by --input, directories expanded to sorted *.txt."""
  files = []
  for spec in specs:
    if os.path.isdir(spec):
      found = sorted(glob.glob(os.path.join(spec, '*.txt')))
      if not found:
        raise ValueError(f'--input directory {spec} has no *.txt files.')
      files += found
    elif os.path.isfile(spec):
      files.append(spec)
    else:
      raise ValueError(f'--input {spec} is neither a file nor a directory.')
  return files


def _documents(files, whole_files, counts):
  """Yields the text of every non-empty document; counts skipped lines."""
  for path in files:
    with open(path, encoding='utf-8') as f:
      try:
        texts = [f.read()] if whole_files else list(f)
      except UnicodeDecodeError as e:
        raise ValueError(f'{path} is not UTF-8 text ({e}); convert it '
                         'first (e.g. iconv -t utf-8).') from e
    for text in texts:
      text = text.rstrip('\n')
      if not text.strip():
        counts['skipped empty documents'] += 1
        continue
      yield text


def _examples(options, files, tokenizer, special, counts):
  """Tokenizes, packs and masks: yields serialized examples."""
  rng = np.random.default_rng(options.seed)
  length = options.max_seq_length

  def units():
    for text in _documents(files, options.documents == 'file', counts):
      ids = tokenizer(text, add_special_tokens=False, verbose=False)[
          'input_ids']
      if not ids:
        counts['skipped empty documents'] += 1
        continue
      counts['documents'] += 1
      counts['document tokens'] += len(ids)
      pieces = pretraining.document_units(ids, special, length)
      counts['documents cut into pieces'] += len(pieces) > 1
      if counts['documents'] % options.log_every == 0:
        print(f'{counts["documents"]} documents, {counts["sequences"]} '
              'sequences so far', flush=True)
      yield from pieces

  for sequence in pretraining.pack(units(), length):
    counts['sequences'] += 1
    counts['padding tokens'] += length - len(sequence)
    if pretraining.wanted_predictions(
        sequence, special, options.masked_lm_prob) > (
            options.max_predictions_per_seq):
      counts['sequences capped at max_predictions_per_seq'] += 1
    for _ in range(options.dupe_factor):
      masked = pretraining.mask_sequence(
          sequence, special, options.masked_lm_prob,
          options.max_predictions_per_seq, rng)
      counts['predictions'] += len(masked.positions)
      counts['examples'] += 1
      yield pretraining.make_example(
          masked, special, length,
          options.max_predictions_per_seq).SerializeToString()


def _read_back(path, options):
  """Number of records, each parsed with the dataloader's feature spec."""
  spec = {name: tf.io.FixedLenFeature([options.max_seq_length], tf.int64)
          for name in ('input_ids', 'input_mask', 'segment_ids')}
  spec.update({name: tf.io.FixedLenFeature(
      [options.max_predictions_per_seq], dtype)
               for name, dtype in (('masked_lm_positions', tf.int64),
                                   ('masked_lm_ids', tf.int64),
                                   ('masked_lm_weights', tf.float32))})
  # `reduce`, not a Python loop: a loop over the dataset ends on a logged
  # OUT_OF_RANGE (see `staged_output.count_records`).
  parsed = tf.data.TFRecordDataset(path).map(
      lambda record: tf.io.parse_single_example(record, spec))
  return int(parsed.reduce(tf.constant(0, tf.int64),
                           lambda count, _: count + 1))


def create(options: Options) -> dict:
  """Writes the pretraining TFRecord; returns the counts.

  Raises:
    ValueError, OSError, ImportError: bad flags, input or tokenizer, or an
      existing --output_file without --overwrite; nothing was written.
  """
  _validate(options)
  files = _input_files(options.input)
  output_dir = os.path.dirname(os.path.abspath(options.output_file))
  name = os.path.basename(options.output_file)
  staged_output.check_output(output_dir, [name], options.overwrite)
  tokenizer = tokenizer_lib.load_tokenizer(options.tokenizer)
  special = pretraining.special_ids_of(tokenizer)
  counts = dict.fromkeys(
      ['documents', 'skipped empty documents', 'document tokens',
       'documents cut into pieces', 'sequences', 'padding tokens',
       'examples', 'predictions',
       'sequences capped at max_predictions_per_seq'], 0)
  with staged_output.staged(output_dir, [name], options.overwrite) as stage:
    path = stage.staged_path(name)
    with tf.io.TFRecordWriter(path) as writer:
      for serialized in _examples(options, files, tokenizer, special, counts):
        writer.write(serialized)
    if counts['examples'] == 0:
      raise ValueError(f'No documents in {", ".join(files)}: nothing '
                       'written.')
    read = _read_back(path, options)
    if read != counts['examples']:
      raise ValueError(f'Read back {read} records, wrote '
                       f'{counts["examples"]}: nothing written.')
    stage.publish()
  return counts
