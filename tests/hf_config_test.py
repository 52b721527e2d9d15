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

"""HF config translation: clear errors for what an HF config gets wrong."""
import numpy as np
import pytest

import hf_reference
from longformer.conversion import hf_config


def _hf_dict(**overrides):
  fields = hf_reference.tiny_hf_config().to_dict()
  fields.update(overrides)
  return fields


@pytest.mark.parametrize('model_type, fix', [
    ('roberta', 'convert_roberta_to_longformer.py'),
    ('bert', 'encoder type `bert`'),
    ('gpt2', 'reads only Longformer checkpoints'),
])
def test_other_model_types_name_the_type_and_the_tool_to_use(model_type, fix):
  with pytest.raises(ValueError, match=f"model_type='{model_type}'") as e:
    hf_config.encoder_config_from_hf(_hf_dict(model_type=model_type))
  assert fix in str(e.value)


@pytest.mark.parametrize('window, expected', [
    (np.int64(6), [6, 6]),
    (np.array([4, 8]), [4, 8]),
    ((np.int32(2), 10), [2, 10]),
])
def test_numpy_and_tuple_windows_are_read_as_ints(window, expected):
  config = hf_config.encoder_config_from_hf(_hf_dict(attention_window=window))
  assert list(config.attention_window) == expected
  assert all(type(w) is int for w in config.attention_window)  # pylint: disable=unidiomatic-typecheck


@pytest.mark.parametrize('window, message', [
    (7, r'attention_window\[0\]=7 must be a positive even'),
    ([4, 0], r'attention_window\[1\]=0 must be a positive even'),
    ([4, 8, 8], 'has 3 values but num_hidden_layers=2'),
    (4.0, 'must be an int or a list'),
    ([4, 8.5], r'attention_window\[1\]=8.5 \(float\) must be an integer'),
    (True, 'must be an int or a list'),
])
def test_bad_windows_are_refused_by_name(window, message):
  with pytest.raises(ValueError, match=message):
    hf_config.encoder_config_from_hf(_hf_dict(attention_window=window))


def test_missing_window_and_too_many_global_tokens_are_refused():
  fields = _hf_dict()
  del fields['attention_window']
  with pytest.raises(ValueError, match="no 'attention_window'"):
    hf_config.encoder_config_from_hf(fields)
  # 130 positions starting at pad_token_id + 1 = 2 hold 128 tokens.
  hf_config.encoder_config_from_hf(_hf_dict(), global_attention_size=128)
  with pytest.raises(ValueError, match='global_attention_size=129 must be '
                     'between 0 and 128'):
    hf_config.encoder_config_from_hf(_hf_dict(), global_attention_size=129)


def test_hf_config_round_trips_through_ours():
  fields = _hf_dict(attention_window=[4, 8], hidden_act='relu',
                    layer_norm_eps=1e-6, type_vocab_size=3)
  back = hf_config.hf_config_from_encoder_config(
      hf_config.encoder_config_from_hf(fields))
  for key, value in back.items():
    assert fields[key] == value, key


def test_yaml_overrides_longformer_glue_but_not_model_garden_experiments():
  """The documented limit: MG's own experiments hold an empty `any`."""
  # pylint: disable=g-import-not-at-top
  from official.core import exp_factory
  from official.nlp.configs import finetuning_experiments  # pylint: disable=unused-import
  # pylint: enable=g-import-not-at-top
  encoder_config = hf_config.encoder_config_from_hf(
      _hf_dict(attention_window=[4, 8]), global_attention_size=3)
  override = hf_config.encoder_yaml_dict(
      encoder_config, init_checkpoint='/ckpt/longformer',
      model={'num_classes': 3})
  params = exp_factory.get_exp_config('longformer/glue')
  params.override(override, is_strict=True)
  assert params.task.model.encoder.any.attention_window == [4, 8]
  assert params.task.model.encoder.any.global_attention_size == 3
  assert params.task.init_checkpoint == '/ckpt/longformer'
  with pytest.raises(KeyError, match=r'does not exist in .*base_config.Config'):
    exp_factory.get_exp_config('bert/sentence_prediction').override(
        override, is_strict=True)
