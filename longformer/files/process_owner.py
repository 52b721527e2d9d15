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

"""Who owns a lock or a staging folder, and whether that process has ended.

A pid names a process only within one pid namespace of one boot of one
machine: a container sharing the host's name (host UTS or network, k8s
hostNetwork) has its own pids, and two machines may share a hostname on one
NFS or GCS location. An owner record therefore holds

  host     socket.gethostname()
  pid      os.getpid()
  pid_ns   the inode of /proc/self/ns/pid (where /proc has it)
  boot_id  /proc/sys/kernel/random/boot_id (where /proc has it)

and `is_provably_dead` is True only when host, pid namespace and boot are
all known and equal to this process's and the pid does not run. Anything
else (another host, namespace or boot; a field missing on either side, e.g.
an older record or a system without /proc) is "cannot tell": never removed
or taken over automatically.
"""
import os
import socket
from typing import Any, Dict, Mapping, Optional

Owner = Dict[str, Any]

_PID_NAMESPACE = '/proc/self/ns/pid'
_BOOT_ID = '/proc/sys/kernel/random/boot_id'
# The fields that must match this process's for its pid check to count.
_PLACE_FIELDS = ('host', 'pid_ns', 'boot_id')


def _pid_namespace() -> Optional[int]:
  try:
    return os.stat(_PID_NAMESPACE).st_ino
  except OSError:
    return None


def _boot_id() -> Optional[str]:
  try:
    with open(_BOOT_ID, encoding='ascii') as f:
      return f.read().strip() or None
  except OSError:
    return None


def current() -> Owner:
  """This process's owner record (fields /proc lacks are left out)."""
  owner = {'host': socket.gethostname(), 'pid': os.getpid(),
           'pid_ns': _pid_namespace(), 'boot_id': _boot_id()}
  return {k: v for k, v in owner.items() if v is not None}


def is_current(owner: Mapping[str, Any]) -> bool:
  """True if `owner` is this process's record."""
  here = current()
  return all(owner.get(k) == here.get(k) for k in ('pid', *_PLACE_FIELDS))


def pid_is_running(pid: int) -> bool:
  """True if a process `pid` runs in this pid namespace."""
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:  # alive, owned by another user
    return True
  return True


def same_place(owner: Mapping[str, Any]) -> bool:
  """True if `owner`'s pid can be checked from here: its host, pid
  namespace and boot are all recorded and equal to this process's."""
  here = current()
  return all(here.get(k) is not None and owner.get(k) == here[k]
             for k in _PLACE_FIELDS)


def is_provably_dead(owner: Optional[Mapping[str, Any]]) -> bool:
  """True only if `owner`'s process certainly no longer runs.

  Args:
    owner: an owner record (see `current`); None or {} for none.

  Returns:
    True if host, pid namespace and boot id match this process's and the
    pid does not run; False for a live pid and for any owner that cannot
    be checked from here.
  """
  if not owner or not same_place(owner):
    return False
  pid = owner.get('pid')
  return (isinstance(pid, int) and not isinstance(pid, bool) and pid > 0
          and not pid_is_running(pid))


def describe(owner: Optional[Mapping[str, Any]]) -> str:
  """'pid 12 on host h (pid namespace 4026531836, boot 6f1c...)'."""
  if not owner:
    return 'an unknown owner'
  return (f'pid {owner.get("pid", "?")} on host {owner.get("host", "?")} '
          f'(pid namespace {owner.get("pid_ns", "unknown")}, boot '
          f'{owner.get("boot_id", "unknown")})')
