"""A small pool of worker processes whose tasks can be stopped: each worker limits its own memory
(RLIMIT_AS), a task that takes longer than the time limit has its worker killed and replaced,
and a worker that dies or runs out of memory is replaced too. The server never runs a task itself.

    pool = WorkerPool(make, size=1, queue=8, memory_mb=1536, timeout_s=60)
    pool.start()
    with pool.admitted():          # PoolFull when `size` tasks run and `queue` more wait
        result = pool.run(task)    # blocking (call it in a thread): TimedOut, WorkerLost
    pool.close()

`make` is a picklable callable, called once in each new worker (imports, the rule set: before
the memory limit applies), that returns the function doing one task. Workers are started with
'spawn' (a fresh interpreter, nothing inherited) by one long-lived thread, and end with the
server: the kernel kills them when it dies (PR_SET_PDEATHSIG), an idle worker ends when its pipe
closes, and a busy one is killed by its own alarm shortly after the time limit.
(concurrent.futures' ProcessPoolExecutor cannot stop one task: its whole pool breaks instead.)
"""
from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from queue import Empty, Queue


class PoolFull(Exception):
    """Every worker is busy and the queue is full: try again later."""


class TimedOut(Exception):
    """The task took longer than the time limit: its worker was killed (and is being replaced)."""


class WorkerLost(Exception):
    """The worker ran out of memory (`memory`) or died during the task (`exitcode`)."""

    def __init__(self, exitcode: int | None = None, memory: bool = False):
        super().__init__(f"worker lost (exit code {exitcode}, out of memory: {memory})")
        self.exitcode, self.memory = exitcode, memory


@dataclass(eq=False)                    # one per process: compared and hashed by identity
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection


class WorkerPool:
    def __init__(self, make, *, size: int, queue: int, memory_mb: float | None, timeout_s: float,
                 start_timeout_s: float = 120.0):
        self.make, self.size, self.queue, self.memory_mb = make, size, queue, memory_mb
        self.timeout_s, self.start_timeout_s = timeout_s, start_timeout_s
        self._context = multiprocessing.get_context("spawn")
        self._idle: Queue[_Worker] = Queue()
        self._wanted: Queue[bool | None] = Queue()     # True: start one more; None: stop
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._admitted, self._started, self._closed = 0, False, False
        self._seconds = 1.0                 # a running mean of the tasks' times, for Retry-After

    # -- the server's side --------------------------------------------------------------------------
    def start(self) -> None:
        """Start the workers (without waiting for them to be ready: tasks wait in the queue)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        threading.Thread(target=self._supervise, name="worker-pool", daemon=True).start()
        for _ in range(self.size):
            self._wanted.put(True)
        atexit.register(self.close)

    def close(self) -> None:
        """Stop every worker (idle or busy) and the thread that starts them."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers)
        self._wanted.put(None)
        for worker in workers:
            _stop(worker)

    @contextmanager
    def admitted(self):
        """A place among the tasks running or waiting, or PoolFull."""
        with self._lock:
            if self._admitted >= self.size + self.queue or self._closed:
                raise PoolFull()
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    def retry_after(self) -> int:
        """Seconds after which a place is likely free: the mean task time for each task ahead."""
        ahead = (self.size + self.queue) / self.size
        return max(1, min(math.ceil(self._seconds * ahead), math.ceil(self.timeout_s)))

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def run(self, task):
        """Run one task in an idle worker and return its result (blocking)."""
        self.start()
        while True:
            try:        # each task ahead ends within the time limit, or its worker is replaced
                worker = self._idle.get(timeout=(self.queue // self.size + 1) * (self.timeout_s + self.start_timeout_s))
            except Empty:
                raise PoolFull() from None
            try:
                worker.conn.send(task)
                break
            except OSError:                 # it died while idle: replace it, and take another
                self._replace(worker)
        started = time.monotonic()
        try:
            if not worker.conn.poll(self.timeout_s):
                self._replace(worker)
                raise TimedOut()
            outcome, value = worker.conn.recv()
        except (EOFError, OSError):
            raise WorkerLost(self._replace(worker)) from None
        self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)
        if outcome == "memory":
            self._replace(worker)           # a fresh process for the next task
            raise WorkerLost(memory=True)
        self._idle.put(worker)
        if outcome == "error":
            raise RuntimeError(f"the worker failed:\n{value}")
        return value

    def _replace(self, worker: _Worker) -> int | None:
        """Kill a worker, start another in its place; its exit code."""
        with self._lock:
            self._workers.discard(worker)
            if not self._closed:
                self._wanted.put(True)
        return _stop(worker)

    # -- the thread that starts workers (their parent, for PR_SET_PDEATHSIG: it lives as long as the pool)
    def _supervise(self) -> None:
        while True:
            wanted = [self._wanted.get()]
            while not self._wanted.empty():
                wanted.append(self._wanted.get())
            if None in wanted:
                return
            starting = [self._start_one() for _ in wanted]
            for worker in starting:           # they get ready side by side
                ready = False
                try:
                    ready = worker.conn.poll(self.start_timeout_s) and worker.conn.recv() == "ready"
                except (EOFError, OSError):
                    pass
                with self._lock:
                    if ready and not self._closed:
                        self._workers.add(worker)
                        self._idle.put(worker)
                        continue
                _stop(worker)
                if not self._closed:          # it could not start (e.g. no memory): try again soon
                    print(f"compliance serve: a worker did not start (exit code {worker.process.exitcode})",
                          file=sys.stderr)
                    time.sleep(1)
                    self._wanted.put(True)

    def _start_one(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_work, args=(theirs, self.make, self.memory_mb, self.timeout_s,
                                                               os.getpid()), daemon=True, name="compliance-worker")
        process.start()
        theirs.close()
        return _Worker(process, ours)


def _stop(worker: _Worker) -> int | None:
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(10)
    worker.conn.close()
    return worker.process.exitcode


# -- the worker's side ------------------------------------------------------------------------------
def _work(conn, make, memory_mb: float | None, timeout_s: float, parent: int) -> None:
    """A worker's life: get ready, limit its memory, then do tasks until the server goes away."""
    _end_with(parent)
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")    # mimalloc reserves 1 GB of address space
    do = make()
    if memory_mb:
        limit = int(memory_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):         # the server has gone
            return
        signal.alarm(math.ceil(timeout_s) + 10)      # never outlive a task by long, server or not
        try:
            reply = ("done", do(task))
        except MemoryError:
            reply = ("memory", None)
        except Exception:                   # noqa: BLE001 - the server answers 500 and logs it
            reply = ("error", traceback.format_exc())
        signal.alarm(0)
        try:
            conn.send(reply)
        except OSError:
            return
        if reply[0] == "memory":
            return


def _end_with(parent: int) -> None:
    """Be killed by the kernel when the thread that started this process ends (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:              # it died before the line above
        os._exit(0)
