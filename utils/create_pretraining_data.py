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
`longformer/pretraining` reads (`use_next_sentence_label: false`). The file
appears only once complete and read back.
"""
import glob
import os
import sys
import time

from absl import app
from absl import flags
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf

from longformer.data import pretraining
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
flags.mark_flags_as_required(['input', 'output_file'])


def _validate_flags():
  problems = []
  if FLAGS.max_seq_length < 3:
    problems.append(f'--max_seq_length={FLAGS.max_seq_length} must be >= 3 '
                    '(<s>, a token, </s>).')
  if not 0 < FLAGS.masked_lm_prob <= 1:
    problems.append(f'--masked_lm_prob={FLAGS.masked_lm_prob} must be in '
                    '(0, 1].')
  if FLAGS.max_predictions_per_seq < 1:
    problems.append('--max_predictions_per_seq must be >= 1.')
  if FLAGS.dupe_factor < 1:
    problems.append('--dupe_factor must be >= 1.')
  if problems:
    raise SystemExit('\n'.join(problems))


def _input_files(specs):
  """The files named by --input, directories expanded to sorted *.txt."""
  files = []
  for spec in specs:
    if os.path.isdir(spec):
      found = sorted(glob.glob(os.path.join(spec, '*.txt')))
      if not found:
        raise SystemExit(f'--input directory {spec} has no *.txt files.')
      files += found
    elif os.path.isfile(spec):
      files.append(spec)
    else:
      raise SystemExit(f'--input {spec} is neither a file nor a directory.')
  return files


def _documents(files, counts):
  """Yields the text of every non-empty document; counts skipped lines."""
  for path in files:
    with open(path, encoding='utf-8') as f:
      try:
        texts = [f.read()] if FLAGS.documents == 'file' else list(f)
      except UnicodeDecodeError as e:
        raise SystemExit(f'{path} is not UTF-8 text ({e}); convert it '
                         'first (e.g. iconv -t utf-8).') from e
    for text in texts:
      text = text.rstrip('\n')
      if not text.strip():
        counts['skipped empty documents'] += 1
        continue
      yield text


def _load_tokenizer(name):
  import transformers  # pylint: disable=g-import-not-at-top
  try:
    return transformers.AutoTokenizer.from_pretrained(name)
  except (OSError, ValueError) as e:
    raise SystemExit(f'Could not load --tokenizer={name}: {e}\nPass a local '
                     'save_pretrained directory or a reachable hub name.'
                     ) from e


def _examples(files, tokenizer, special, counts):
  """Tokenizes, packs and masks: yields serialized examples."""
  rng = np.random.default_rng(FLAGS.seed)

  def units():
    for text in _documents(files, counts):
      ids = tokenizer(text, add_special_tokens=False, verbose=False)[
          'input_ids']
      if not ids:
        counts['skipped empty documents'] += 1
        continue
      counts['documents'] += 1
      counts['document tokens'] += len(ids)
      pieces = pretraining.document_units(ids, special, FLAGS.max_seq_length)
      counts['documents cut into pieces'] += len(pieces) > 1
      if counts['documents'] % FLAGS.log_every == 0:
        print(f'{counts["documents"]} documents, {counts["sequences"]} '
              'sequences so far', flush=True)
      yield from pieces

  for sequence in pretraining.pack(units(), FLAGS.max_seq_length):
    counts['sequences'] += 1
    counts['padding tokens'] += FLAGS.max_seq_length - len(sequence)
    if pretraining.wanted_predictions(
        sequence, special, FLAGS.masked_lm_prob) > (
            FLAGS.max_predictions_per_seq):
      counts['sequences capped at max_predictions_per_seq'] += 1
    for _ in range(FLAGS.dupe_factor):
      masked = pretraining.mask_sequence(
          sequence, special, FLAGS.masked_lm_prob,
          FLAGS.max_predictions_per_seq, rng)
      counts['predictions'] += len(masked.positions)
      counts['examples'] += 1
      yield pretraining.make_example(
          masked, special, FLAGS.max_seq_length,
          FLAGS.max_predictions_per_seq).SerializeToString()


def _read_back(path):
  """Number of records, each parsed with the dataloader's feature spec."""
  spec = {name: tf.io.FixedLenFeature([FLAGS.max_seq_length], tf.int64)
          for name in ('input_ids', 'input_mask', 'segment_ids')}
  spec.update({name: tf.io.FixedLenFeature(
      [FLAGS.max_predictions_per_seq], dtype)
               for name, dtype in (('masked_lm_positions', tf.int64),
                                   ('masked_lm_ids', tf.int64),
                                   ('masked_lm_weights', tf.float32))})
  count = 0
  for record in tf.data.TFRecordDataset(path):
    tf.io.parse_single_example(record, spec)
    count += 1
  return count


def main(argv):
  del argv
  _validate_flags()
  files = _input_files(FLAGS.input)
  tokenizer = _load_tokenizer(FLAGS.tokenizer)
  try:
    special = pretraining.special_ids_of(tokenizer)
  except ValueError as e:
    raise SystemExit(str(e)) from e
  counts = dict.fromkeys(
      ['documents', 'skipped empty documents', 'document tokens',
       'documents cut into pieces', 'sequences', 'padding tokens',
       'examples', 'predictions',
       'sequences capped at max_predictions_per_seq'], 0)
  output_dir = os.path.dirname(os.path.abspath(FLAGS.output_file))
  os.makedirs(output_dir, exist_ok=True)
  temp_path = os.path.join(
      output_dir, f'.{os.path.basename(FLAGS.output_file)}.tmp-{os.getpid()}')
  start = time.time()
  try:
    with tf.io.TFRecordWriter(temp_path) as writer:
      for serialized in _examples(files, tokenizer, special, counts):
        writer.write(serialized)
    if counts['examples'] == 0:
      raise SystemExit(f'No documents in {", ".join(files)}: nothing '
                       'written.')
    read = _read_back(temp_path)
    if read != counts['examples']:
      raise SystemExit(f'Read back {read} records, wrote '
                       f'{counts["examples"]}: nothing written.')
    os.replace(temp_path, FLAGS.output_file)
  finally:
    if os.path.exists(temp_path):
      os.remove(temp_path)
  for name, value in counts.items():
    print(f'{name}: {value}')
  capacity = counts['sequences'] * FLAGS.max_seq_length
  print(f'padding: {counts["padding tokens"] / capacity:.1%} of '
        f'{capacity} token slots; {time.time() - start:.1f} s')
  if counts['sequences capped at max_predictions_per_seq']:
    print('NOTE: some sequences predict fewer than --masked_lm_prob of their '
          'tokens; raise --max_predictions_per_seq to '
          f'{round(FLAGS.max_seq_length * FLAGS.masked_lm_prob)}.')
  print(f'Done: {counts["examples"]} examples ({counts["documents"]} '
        f'documents) in {FLAGS.output_file}; set max_predictions_per_seq: '
        f'{FLAGS.max_predictions_per_seq} and seq_length: '
        f'{FLAGS.max_seq_length} in the data config.')


if __name__ == '__main__':
  app.run(main)
