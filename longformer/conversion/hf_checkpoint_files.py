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

"""Which weight files `transformers` reads from a `save_pretrained` folder.

`from_pretrained` reads exactly one of, in this order: `model.safetensors`,
the shards listed in `model.safetensors.index.json`, `pytorch_model.bin`,
the shards listed in `pytorch_model.bin.index.json`. Any other file in the
folder (a backup, an old shard) is not part of the model, so the converter
reads the same files, never a glob.
"""
import json
import os
from typing import List, Tuple

SAFETENSORS = 'safetensors'
TORCH = 'torch'
# (file name, format, is an index of shards), in transformers' order.
_CANDIDATES = (
    ('model.safetensors', SAFETENSORS, False),
    ('model.safetensors.index.json', SAFETENSORS, True),
    ('pytorch_model.bin', TORCH, False),
    ('pytorch_model.bin.index.json', TORCH, True),
)


def _shards(model_dir: str, index_path: str) -> List[str]:
  """The distinct shard files an index's weight_map names, in order."""
  with open(index_path) as f:
    weight_map = json.load(f).get('weight_map')
  if not isinstance(weight_map, dict) or not weight_map:
    raise ValueError(f'{index_path} has no "weight_map"; it is not a '
                     'transformers shard index.')
  shards = sorted(set(weight_map.values()))
  missing = [s for s in shards
             if not os.path.isfile(os.path.join(model_dir, s))]
  if missing:
    raise ValueError(f'{index_path} names shards that are not in '
                     f'{model_dir}: {missing}.')
  return [os.path.join(model_dir, s) for s in shards]


def weight_files(model_dir: str) -> Tuple[str, List[str]]:
  """(format, paths) of the weights `transformers` would load.

  Args:
    model_dir: a folder written by `save_pretrained`.

  Returns:
    SAFETENSORS or TORCH, and the files to read (one, or the shards).

  Raises:
    ValueError: none of the four names is in the folder.
  """
  for name, kind, is_index in _CANDIDATES:
    path = os.path.join(model_dir, name)
    if os.path.isfile(path):
      return kind, _shards(model_dir, path) if is_index else [path]
  raise ValueError(
      f'{model_dir} has none of {[c[0] for c in _CANDIDATES]}, the weight '
      'files transformers loads; is it a save_pretrained folder?')
