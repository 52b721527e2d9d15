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

"""Finds what the data tools recorded about a model's training data.

`utils/longformer_tokenizer_to_tfrecord.py` writes `<task>_meta_data.json`
(with `labels`, the class names in class-index order) and
`utils/squad_to_tfrecord.py` writes `meta_data.json` (with `doc_stride`,
`max_query_length`), each beside its TFRecords. A run's `input_path` leads
to them.
"""
import json
import os
from typing import Dict, Optional, Sequence

import tensorflow as tf


def find_metadata(input_paths: Sequence[str]) -> Optional[Dict]:
  """The data tool's metadata beside the first of `input_paths` that has it.

  Args:
    input_paths: TFRecord paths or patterns (a run's train / eval
      `input_path`; comma-separated lists are split).

  Returns:
    The metadata dict with 'path' added, or None if no folder holds exactly
    one `*meta_data.json`.
  """
  for spec in input_paths:
    for path in filter(None, (spec or '').split(',')):
      if not tf.io.gfile.glob(path):
        continue  # e.g. 'dummy', or records moved away
      folder = os.path.dirname(path)
      found = tf.io.gfile.glob(os.path.join(folder or '.', '*meta_data.json'))
      if len(found) == 1:
        with tf.io.gfile.GFile(found[0]) as f:
          return dict(json.load(f), path=found[0])
  return None


def label_names(metadata: Optional[Dict],
                num_classes: int) -> Optional[Sequence[str]]:
  """The class names of `metadata`, or None if it has none.

  Raises:
    ValueError: it names a different number of classes than the model has.
  """
  names = (metadata or {}).get('labels')
  if not names:
    return None
  if len(names) != num_classes:
    raise ValueError(
        f'{metadata["path"]} names {len(names)} classes ({", ".join(names)}) '
        f'but the model has num_classes={num_classes}; pass --label_names.')
  return list(names)
