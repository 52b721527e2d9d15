# ---------------------------------------------------------------------------
# Data tools fixtures (squad_to_tfrecord_test, tokenizer_to_tfrecord_test,
# documents_test, pretraining_data_test, squad_postprocess_test). The tiny
# tokenizer is read-only: a test that changes it copies it first.
# ---------------------------------------------------------------------------
import pytest as _data_pytest  # pylint: disable=g-import-not-at-top


@_data_pytest.fixture(scope='session')
def tiny_tokenizer_dir(tmp_path_factory) -> str:
  """`tiny_tokenizer.build_tiny_tokenizer` output (RoBERTa ids, vocab 400)."""
  import tiny_tokenizer  # pylint: disable=g-import-not-at-top
  return tiny_tokenizer.build_tiny_tokenizer(
      str(tmp_path_factory.mktemp('tiny_tokenizer')))
