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

"""Model sizes shared by the benchmark workers and their drivers.

Longformer-base: hidden 768, 12 heads, inner 3072, RoBERTa's vocabulary.
"""
VOCAB_SIZE = 50265
PAD_TOKEN_ID = 1
HIDDEN_SIZE = 768
NUM_HEADS = 12
INNER_DIM = 3072
GLOBAL_ATTENTION_SIZE = 1
MATMUL_SHAPE = (4096, 768, 3072)  # [M, K] @ [K, N]
# Position-table rows beyond the tokens: RoBERTa positions start at
# pad_token_id + 1, so T tokens need T + pad_token_id + 1 rows.
POSITION_ROWS_OFFSET = PAD_TOKEN_ID + 1
