"""A worker process that ends when the process it works for does.

A pool's worker waits on a queue whose other end it holds itself, so a parent killed with
`kill -9` leaves it waiting for ever (in a batch: a few hundred MB each). `end_with_parent()`,
called first in a worker's initializer, ends it within a second of its parent, in any of
multiprocessing's start methods:

- on Linux the kernel sends it SIGKILL when its parent ends (`prctl(PR_SET_PDEATHSIG)`), even in
  the middle of a long computation;
- a daemon thread (named `parent-watch` on Linux: `ps -L` shows it) checks every half second that
  its parent is the same and that the process it works for still runs. Under `forkserver` the two
  differ: the parent is the fork server, the process it works for is the one that asked for it
  (`multiprocessing.parent_process()`); checking that one is what ends a worker whose fork server
  lives on because the workers themselves keep it alive.

A worker whose parent ended before the initializer ran ends at once.

`PR_SET_PDEATHSIG` fires when the *thread* that started the worker ends: start pools from a
thread that lives as long as the pool (the audit's main thread does), or pass `signal=False`.
"""
from __future__ import annotations

import os
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
WATCH_NAME = "parent-watch"
EXIT_ORPHANED = 70                  # the exit code of a worker whose parent has gone


def end_with_parent(interval: float = 0.5, signal: bool = True) -> None:
    import multiprocessing

    if signal and sys.platform.startswith("linux"):
        import signal as signals

        _prctl(PR_SET_PDEATHSIG, int(signals.SIGKILL))
    parent = os.getppid()
    owner = multiprocessing.parent_process()
    owner_pid = owner.pid if owner is not None and owner.pid else parent
    born = _start_time(owner_pid)
    if (owner_pid != parent and not _alive(owner_pid, born)) or parent == 1:
        os._exit(EXIT_ORPHANED)            # orphaned before this worker was ready

    def watch() -> None:
        if sys.platform.startswith("linux"):
            _prctl(PR_SET_NAME, WATCH_NAME.encode())
        while True:
            time.sleep(interval)
            if os.getppid() != parent or not _alive(owner_pid, born):
                os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name=WATCH_NAME, daemon=True).start()


def _prctl(option: int, value) -> None:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(option, ctypes.c_char_p(value) if isinstance(value, bytes) else ctypes.c_ulong(value), 0, 0, 0)
    except (OSError, AttributeError):      # not glibc/musl: the watch thread alone
        pass


def _start_time(pid: int) -> str | None:
    """When the process started (Linux: /proc/PID/stat field 22), so that a new process given the
    same number is not mistaken for it; None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, born: str | None) -> bool:
    if born is not None:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return False
        return fields[0] not in ("Z", "X") and fields[19] == born
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
