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

"""Loads Model Garden's original Longformer port from a folder, as a peer.

The original port (tensorflow/models `official/projects/longformer/`) is not
in the tf-models-official pip package, and this project never ships its
code. `--original_port_path` names a folder holding its three files:

  longformer_attention.py  longformer_encoder_block.py  longformer_encoder.py

(the contents of `official/projects/longformer/` of a tensorflow/models
checkout; the checkout's `official/projects/longformer` folder itself works).
They import each other as `official.projects.longformer.<module>`; `load`
registers that package name for the folder in `sys.modules`, so nothing in
site-packages changes.

The port is written against `tf.keras`, which is Keras 3 in TensorFlow 2.20;
`load` sets `TF_USE_LEGACY_KERAS=1` so that `tf.keras` is tf_keras (Keras 2).
It must therefore run before TensorFlow is imported, in a process that runs
nothing else (`run_one.py --impl=original`).
"""
import importlib
import os
import sys
import types

PACKAGE = 'official.projects.longformer'
MODULES = ('longformer_attention', 'longformer_encoder_block',
           'longformer_encoder')


def check_path(path: str) -> None:
  """Raises ValueError unless `path` holds the port's three modules."""
  missing = [name + '.py' for name in MODULES
             if not os.path.isfile(os.path.join(path, name + '.py'))]
  if missing:
    raise ValueError(
        f'--original_port_path={path!r} lacks {", ".join(missing)}: give the '
        "folder holding Model Garden's official/projects/longformer files.")


def load(path: str) -> type:
  """Imports the port from `path`; returns its `LongformerEncoder` class."""
  check_path(path)
  if 'tensorflow' in sys.modules and os.environ.get(
      'TF_USE_LEGACY_KERAS') != '1':
    raise RuntimeError('original_port.load must run before TensorFlow is '
                       'imported (it sets TF_USE_LEGACY_KERAS=1).')
  os.environ['TF_USE_LEGACY_KERAS'] = '1'
  importlib.import_module('official.projects')
  package = types.ModuleType(PACKAGE)
  package.__path__ = [os.path.abspath(path)]
  sys.modules[PACKAGE] = package
  encoder_module = importlib.import_module(PACKAGE + '.longformer_encoder')
  return encoder_module.LongformerEncoder
