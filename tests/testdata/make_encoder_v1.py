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

"""Writes `encoder_v1/`: a tiny encoder checkpoint from the pre-plan code.

Run once (from the repository root) with the code of commit c6ffa6d, the
last one before the attention plan and the self-owned block; the test
`encoder_checkpoint_test.py` loads it into today's code. Not rerun by tests:
its outputs are the expected values, so they must come from the old code.

Contents: `config.json` (the encoder's get_config), `ckpt-*` (a
tf.train.Checkpoint(encoder=...)), `io.npz` (inputs of a left- and
right-padded batch, with and without global_attention_mask, and the
outputs), `variables.json` (every variable's name and shape).
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras

from longformer.modeling import encoder as encoder_lib

_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'encoder_v1')


def main():
  tf_keras.utils.set_random_seed(7)
  encoder = encoder_lib.LongformerEncoder(
      vocab_size=50, attention_window=[8, 4], global_attention_size=2,
      global_tokens='first', hidden_size=16, num_layers=2,
      num_attention_heads=2, max_sequence_length=64, inner_dim=24,
      output_dropout=0.0, attention_dropout=0.0)
  rng = np.random.default_rng(7)
  length = 21
  word_ids = rng.integers(3, 50, size=(2, length)).astype(np.int32)
  mask = np.ones((2, length), np.int32)
  mask[0, 17:] = 0
  word_ids[0, 17:] = 1
  type_ids = np.zeros_like(word_ids)
  global_mask = np.zeros_like(word_ids)
  global_mask[0, [0, 5]] = 1
  global_mask[1, [3, 20]] = 1
  inputs = dict(input_word_ids=word_ids, input_mask=mask,
                input_type_ids=type_ids)
  outputs = encoder(inputs)
  marked = encoder(dict(inputs, global_attention_mask=global_mask))
  os.makedirs(_DIR, exist_ok=True)
  np.savez(os.path.join(_DIR, 'io.npz'), input_word_ids=word_ids,
           input_mask=mask, input_type_ids=type_ids,
           global_attention_mask=global_mask,
           sequence_output=outputs['sequence_output'].numpy(),
           pooled_output=outputs['pooled_output'].numpy(),
           layer_0_output=outputs['encoder_outputs'][0].numpy(),
           marked_sequence_output=marked['sequence_output'].numpy())
  config = encoder.get_config()
  config.pop('embedding_layer')
  with open(os.path.join(_DIR, 'config.json'), 'w') as f:
    json.dump(config, f, indent=1, sort_keys=True)
  with open(os.path.join(_DIR, 'variables.json'), 'w') as f:
    json.dump([[v.name, v.shape.as_list()] for v in encoder.weights], f,
              indent=0)
  tf.train.Checkpoint(encoder=encoder).write(os.path.join(_DIR, 'ckpt'))


if __name__ == '__main__':
  main()
