"""Checkpoints in and out: HF Longformer and RoBERTa weights, heads, self-checks."""
