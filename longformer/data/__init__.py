"""Input formats -> Model Garden `tf.train.Example`s, one module per format.

Each module reads one kind of raw data, tokenizes it with a RoBERTa-style
BPE tokenizer and builds `tf.train.Example`s with the feature names of the
Model Garden dataloader that reads them.
"""
