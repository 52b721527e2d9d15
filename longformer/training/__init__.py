"""What train.py adds around Model Garden's driver: lock, checks, warning filter."""
