# Copyright 2026 The Longformer-TF Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""Runs a CLI's `main(argv)` in the test process, as its command line would.

`run('utils/convert_pretrained_pytorch_checkpoint_to_tf.py', [...flags])`
parses the flags into absl's `FLAGS` (every other flag back at its default),
calls the script's `main`, and returns what a subprocess would: the exit
code (`SystemExit`'s message and `app.UsageError` give 1, as `app.run`
does), stdout, and stderr with the absl log lines in it. It saves the ~10 s
a new Python process spends importing TensorFlow, Model Garden and torch;
keep one real subprocess per CLI as its entry-point test.

Several CLIs define flags of the same name (`output_dir`, `tolerance`,
`model_dir`, ...), which absl refuses in one process. So before a script
runs, the flags of the other scripts (`utils.*` and `train.py`'s, from
`official.common.flags`) are taken out of `FLAGS` and its own put back.
Import a CLI's module in a test only through `load(script)`.
"""
import contextlib
import dataclasses
import importlib
import io
import logging as std_logging
import os
import sys
import traceback
from typing import Dict, List, Sequence

from absl import app
from absl import flags

REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_DIR not in sys.path:
  sys.path.insert(0, REPO_DIR)

FLAGS = flags.FLAGS
_TRAIN_FLAGS_MODULE = 'official.common.flags'
# Module name -> the Flag objects it defined, kept while they are out.
_OWNED: Dict[str, List[flags.Flag]] = {}


@dataclasses.dataclass
class Result:
  """What the command line would have given."""
  returncode: int
  stdout: str
  stderr: str  # Includes the absl/Python log lines and the exit message.


def _module_name(script: str) -> str:
  """'utils/x.py' -> 'utils.x'; 'train.py' -> 'train'."""
  relative = os.path.relpath(os.path.join(REPO_DIR, script), REPO_DIR)
  return os.path.splitext(relative)[0].replace(os.sep, '.')


def _flag_owner(module_name: str) -> str:
  return _TRAIN_FLAGS_MODULE if module_name == 'train' else module_name


def _is_cli_owner(name: str) -> bool:
  return name.startswith('utils.') or name == _TRAIN_FLAGS_MODULE


def _activate(owner: str) -> None:
  """Leaves in FLAGS only the CLI flags `owner` defined (if any yet)."""
  for module, module_flags in FLAGS.flags_by_module_dict().items():
    if _is_cli_owner(module) and module not in _OWNED:
      _OWNED[module] = list(module_flags)
  for module, module_flags in _OWNED.items():
    if module == owner:
      continue
    for flag in module_flags:
      if flag.name in FLAGS and FLAGS[flag.name] is flag:
        delattr(FLAGS, flag.name)
  for flag in _OWNED.get(owner, ()):
    if flag.name not in FLAGS:
      FLAGS[flag.name] = flag
      FLAGS.register_flag_by_module(owner, flag)


def load(script: str):
  """Imports the script as a module with its flags defined (and active)."""
  name = _module_name(script)
  owner = _flag_owner(name)
  _activate(owner)
  module = importlib.import_module(name)
  if name == 'train' and 'experiment' not in FLAGS:
    # train.py defines Model Garden's flags only under `__main__`.
    from official.common import flags as tfm_flags  # pylint: disable=g-import-not-at-top
    tfm_flags.define_flags()
  if owner not in _OWNED:
    _OWNED[owner] = list(FLAGS.flags_by_module_dict().get(owner, ()))
  return module


class _Collect(std_logging.Handler):

  def __init__(self):
    super().__init__(std_logging.INFO)
    self.lines = []

  def emit(self, record):
    self.lines.append(f'{record.levelname[0]} {record.getMessage()}')


def run(script: str, argv: Sequence[str], cwd: str = REPO_DIR) -> Result:
  """Runs `python <script> <argv>` in this process.

  Args:
    script: path relative to the repository root, e.g. 'train.py'.
    argv: the flags, as strings (path-like objects are converted).
    cwd: working directory during the run (the repository root, as the
      subprocess tests use).

  Returns:
    Result(returncode, stdout, stderr).
  """
  module = load(script)
  argv = [script] + [str(a) for a in argv]
  stdout, stderr, collect = io.StringIO(), io.StringIO(), _Collect()
  loggers = [std_logging.getLogger(), std_logging.getLogger('absl')]
  levels = [logger.level for logger in loggers]
  loggers[0].addHandler(collect)
  old_cwd = os.getcwd()
  code = 0
  try:
    os.chdir(cwd)
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(
        stderr):
      try:
        if _module_name(script) == 'train':
          # A new process starts with an empty, unlocked gin config; train.py
          # parses (and locks) it once.
          import gin  # pylint: disable=g-import-not-at-top
          gin.clear_config()
        FLAGS.unparse_flags()
        rest = FLAGS(argv)
        for logger in loggers:  # As the script logs: INFO and up.
          logger.setLevel(std_logging.INFO)
        module.main(rest)
      except flags.Error as e:
        code = 1
        print(f'FATAL Flags parsing error: {e}', file=sys.stderr)
      except app.UsageError as e:
        code = 1
        print(f'FATAL {e}', file=sys.stderr)
      except SystemExit as e:
        if isinstance(e.code, str):
          code = 1
          print(e.code, file=sys.stderr)
        else:
          code = e.code or 0
      except Exception:  # pylint: disable=broad-except
        code = 1  # app.run prints the traceback and exits 1.
        traceback.print_exc()
  finally:
    os.chdir(old_cwd)
    for logger, level in zip(loggers, levels):
      logger.setLevel(level)
    loggers[0].removeHandler(collect)
  return Result(code, stdout.getvalue(),
                stderr.getvalue() + '\n'.join(collect.lines) + '\n')
