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

"""The converter reads the weight files transformers reads, nothing else."""
import os
import shutil

import pytest

from longformer.conversion import hf_checkpoint_files


def test_single_file_wins_over_stray_files(tmp_path, tiny_hf_dir):
  shutil.copytree(tiny_hf_dir, tmp_path, dirs_exist_ok=True)
  (tmp_path / 'backup.safetensors').write_bytes(b'not read')
  (tmp_path / 'pytorch_model.bin').write_bytes(b'not read either')
  kind, paths = hf_checkpoint_files.weight_files(str(tmp_path))
  assert kind == hf_checkpoint_files.SAFETENSORS
  assert paths == [os.path.join(tmp_path, 'model.safetensors')]


def test_shards_come_from_the_index(tmp_path, tiny_hf_model):
  tiny_hf_model.save_pretrained(tmp_path, max_shard_size='20KB')
  (tmp_path / 'model-old-00009-of-00009.safetensors').write_bytes(b'stray')
  kind, paths = hf_checkpoint_files.weight_files(str(tmp_path))
  assert kind == hf_checkpoint_files.SAFETENSORS
  expected = sorted(p for p in os.listdir(tmp_path)
                    if p.endswith('.safetensors') and 'old' not in p)
  assert len(expected) > 1
  assert paths == [os.path.join(tmp_path, p) for p in expected]


def test_missing_weights_and_shards_are_named(tmp_path):
  with pytest.raises(ValueError, match='has none of'):
    hf_checkpoint_files.weight_files(str(tmp_path))
  (tmp_path / 'model.safetensors.index.json').write_text(
      '{"weight_map": {"a": "model-00001-of-00002.safetensors"}}')
  with pytest.raises(ValueError, match='names shards that are not in'):
    hf_checkpoint_files.weight_files(str(tmp_path))
