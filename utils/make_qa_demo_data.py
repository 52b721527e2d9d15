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

r"""Writes the offline long-document QA demo data for `longformer/squad`.

Each example is a question naming a key, and a long context of random
filler words with key -> value pairs spread through it:

  <s> ASK k7 </s></s> w3 w9 .. k2 v9 w8 .. k7 v29 w1 .. k4 v17 .. </s> <pad>..
                                         ^^^ the answer: "v29"

The answer is the value word after the asked key; each key has its own
`--values_per_key` value words, so a value names its key. Every pair lies at
context position `--min_pair_position` or later, so with a full attention
window W and L layers no context token sees the question through the local
band alone (L * W / 2 tokens): the model needs the question tokens global
(`--global_mode=question`: `input_mask` 2 on `<s>`, ASK and the key, for
`global_tokens: marked`) or, with 2 or more layers, must route the key
through `<s>` (`--global_mode=first`: a 0/1 `input_mask`, for
`global_tokens: first` with one global token). With 1 layer (as in
experiments/demo_qa.yaml) that route does not exist, so `first` can only
guess one of the `--num_pairs` values.

Writes, like utils/squad_to_tfrecord.py, `train.tf_record`,
`eval.tf_record` and `eval_features.jsonl` (the context text is the words
joined by spaces, with each token's character offsets), all renamed into
place together.

  python3 utils/make_qa_demo_data.py --output_dir=/tmp/qa_demo/data_question
"""
import json
import os
import sys

from absl import app
from absl import flags
import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable=g-import-not-at-top,wrong-import-position
from longformer.data import squad
from longformer.files import staged_output
# pylint: enable=g-import-not-at-top,wrong-import-position


# RoBERTa's special ids, then the ASK word, keys, values and filler words.
SPECIAL = squad.SpecialIds(cls=0, sep=2, pad=1)
ASK_ID = 3
FIRST_KEY_ID = 4
QUESTION_LENGTH = 2  # ASK + the key

DEFAULTS = {
    'seq_length': 2048, 'min_length': 1536, 'min_pair_position': 64,
    'num_pairs': 4, 'num_keys': 8, 'values_per_key': 4, 'vocab_size': 96,
    'num_train': 8192, 'num_eval': 256, 'seed': 0,
}


def _vocabulary(num_keys, values_per_key, vocab_size):
  """(key ids, value ids, filler ids, {id: word}) of the demo's vocabulary.

  Key n's values are values[n * values_per_key:(n + 1) * values_per_key].
  """
  num_values = num_keys * values_per_key
  keys = np.arange(FIRST_KEY_ID, FIRST_KEY_ID + num_keys)
  values = np.arange(keys[-1] + 1, keys[-1] + 1 + num_values)
  filler = np.arange(values[-1] + 1, vocab_size)
  if len(filler) < 2:
    raise ValueError(f'vocab_size={vocab_size} leaves no filler words after '
                     f'{num_keys} keys and {num_values} values.')
  words = {int(i): f'k{n}' for n, i in enumerate(keys)}
  words.update({int(i): f'v{n}' for n, i in enumerate(values)})
  words.update({int(i): f'w{n}' for n, i in enumerate(filler)})
  return keys, values, filler, words


def make_example(rng, qas_id, args, global_mode):
  """One (SquadExample, Window): random context, pairs and a question.

  Args:
    rng: a numpy Generator.
    qas_id: the question's id.
    args: the DEFAULTS keys (sizes).
    global_mode: 'question' (input_mask 2 on <s> and the question) or
      'first' (input_mask 1 on every real token).
  """
  keys, values, filler, words = _vocabulary(
      args['num_keys'], args['values_per_key'], args['vocab_size'])
  per_key = args['values_per_key']
  head = [SPECIAL.cls, ASK_ID, 0, SPECIAL.sep, SPECIAL.sep]
  length = int(rng.integers(args['min_length'], args['seq_length'] + 1))
  num_context = length - len(head) - 1
  context = rng.choice(filler, num_context)
  # Non-overlapping 2-token slots (key, value) from min_pair_position.
  slots = (num_context - args['min_pair_position']) // 2
  chosen = rng.choice(slots, args['num_pairs'], replace=False)
  pair_keys = rng.choice(len(keys), args['num_pairs'], replace=False)
  asked = int(rng.integers(args['num_pairs']))
  for n, (slot, key) in enumerate(zip(chosen, pair_keys)):
    at = args['min_pair_position'] + 2 * slot
    own_values = values[key * per_key:(key + 1) * per_key]
    context[at:at + 2] = [keys[key], rng.choice(own_values)]
    if n == asked:
      answer_at = at + 1  # the value token, in context positions
  head[2] = int(keys[pair_keys[asked]])
  names = [words[int(i)] for i in context]
  offsets, text = [], ''
  for name in names:
    start = len(text) + (1 if text else 0)
    text = f'{text} {name}' if text else name
    offsets.append((start, len(text)))
  answer = names[answer_at]
  example = squad.SquadExample(qas_id, f'ASK {words[head[2]]}', text,
                               (answer,), offsets[answer_at][0], False)
  ids = head + [int(i) for i in context] + [SPECIAL.sep]
  num_global = 1 + QUESTION_LENGTH if global_mode == 'question' else 0
  mask = [squad.GLOBAL] * num_global + [squad.LOCAL] * (len(ids) - num_global)
  padding = args['seq_length'] - len(ids)
  window = squad.Window(ids + [SPECIAL.pad] * padding, mask + [0] * padding,
                        len(head), offsets, len(head) + answer_at,
                        len(head) + answer_at)
  return example, window


def write_split(record_path, features_path, count, seed, args, global_mode):
  """Writes `count` examples; eval data (features_path set) get unique ids."""
  rng = np.random.default_rng(seed)
  features = (tf.io.gfile.GFile(features_path, 'w') if features_path
              else None)
  with tf.io.TFRecordWriter(record_path) as writer:
    for n in range(count):
      example, window = make_example(rng, f'q{seed}_{n}', args, global_mode)
      writer.write(squad.to_tf_example(
          window, n if features else None).SerializeToString())
      if features:
        features.write(json.dumps(
            squad.eval_record(example, [window], [n])) + '\n')
  if features:
    features.close()


OUTPUT_PATTERNS = ('*.tf_record', 'eval_features.jsonl')


def write_demo_data(output_dir, global_mode, args, overwrite=False):
  """Writes the train and eval files into output_dir, all or nothing.

  An existing set (`OUTPUT_PATTERNS`) is refused unless `overwrite`, which
  replaces it whole.
  """
  outputs = {'train': os.path.join(output_dir, 'train.tf_record'),
             'eval': os.path.join(output_dir, 'eval.tf_record'),
             'features': os.path.join(output_dir, 'eval_features.jsonl')}
  staged_output.check_output(output_dir, OUTPUT_PATTERNS, overwrite)
  with staged_output.staged(output_dir, OUTPUT_PATTERNS, overwrite) as stage:
    staged = {k: stage.staged_path(v) for k, v in outputs.items()}
    write_split(staged['train'], None, args['num_train'], args['seed'],
                args, global_mode)
    write_split(staged['eval'], staged['features'], args['num_eval'],
                args['seed'] + 1, args, global_mode)
    staged_output.verify_tfrecord(staged['train'], args['num_train'])
    staged_output.verify_tfrecord(staged['eval'], args['num_eval'])
    stage.publish()
  return outputs


def main(argv):
  del argv
  args = {name: getattr(flags.FLAGS, name) for name in DEFAULTS}
  try:
    outputs = write_demo_data(flags.FLAGS.output_dir,
                              flags.FLAGS.global_mode, args,
                              flags.FLAGS.overwrite)
  except staged_output.OutputExistsError as e:
    sys.exit(f'error: {e}')
  print(f'OK: wrote {args["num_train"]} train and {args["num_eval"]} eval '
        f'examples to {flags.FLAGS.output_dir} ({", ".join(outputs.values())})')


if __name__ == '__main__':
  for _name, _value in DEFAULTS.items():
    flags.DEFINE_integer(_name, _value, f'Demo data size: {_name}.')
  flags.DEFINE_enum('global_mode', 'question', ['question', 'first'],
                    'question: input_mask 2 on <s> and the question tokens; '
                    'first: a 0/1 input_mask.')
  flags.DEFINE_string('output_dir', None, 'Where to write.')
  flags.DEFINE_bool('overwrite', False, 'Replace an existing output set '
                    '(*.tf_record, eval_features.jsonl) whole.')
  flags.mark_flag_as_required('output_dir')
  app.run(main)
