"""The Longformer model: window math, attention plan and layer, block, encoder, heads."""
