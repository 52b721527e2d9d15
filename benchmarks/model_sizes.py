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
