"""Model Garden tasks subclassed for Longformer, one class per module."""
