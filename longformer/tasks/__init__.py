"""Model Garden tasks subclassed for Longformer inputs, one class per module."""
