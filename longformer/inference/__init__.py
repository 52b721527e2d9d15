"""Predictions from raw text: answers (QA) and labels (classifiers)."""
