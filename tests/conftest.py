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


# ---------------------------------------------------------------------------
# train.py fixtures (tests/train_test.py and other tests that need a model_dir
# as train.py leaves it).
# ---------------------------------------------------------------------------
import collections as _train_collections  # pylint: disable=g-import-not-at-top
import os as _train_os  # pylint: disable=g-import-not-at-top

import pytest as _train_pytest  # pylint: disable=g-import-not-at-top

TrainedGlueRun = _train_collections.namedtuple(
    'TrainedGlueRun', ['train_path', 'eval_path', 'model_dir', 'overrides'])


@_train_pytest.fixture(scope='session')
def trained_glue_run(tmp_path_factory):
  """One 2-step float32 train_and_eval of the tiny glue model, in process.

  Tests must not modify `model_dir`: copy it (shutil.copytree) first.
  """
  import tiny_experiment  # pylint: disable=g-import-not-at-top
  directory = str(tmp_path_factory.mktemp('trained_glue'))
  train_path, eval_path = tiny_experiment.write_records(directory)
  overrides = tiny_experiment.glue_overrides(train_path, eval_path, 2)
  model_dir = _train_os.path.join(directory, 'model')
  tiny_experiment.run_train(model_dir, overrides, mode='train_and_eval')
  return TrainedGlueRun(train_path, eval_path, model_dir, overrides)
