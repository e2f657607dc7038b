"""Where the per-file work runs: a local process pool (the default, all cores) or an existing
Dask distributed cluster (`--scheduler ADDRESS`). Both run the same functions of
compliance.audit.work with the same arguments, so results and outputs are identical.

Files travel as bytes: the parent reads each file and sends its bytes with the task, so Dask
workers need no shared disk (only the same compliance installation: the rule set travels as a
loaded value, letter templates are read from the installed package or `--templates`, which must
then be a path the workers see). At most a few tasks per worker are in flight, so the parent's
memory stays flat however many companies the batch has."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from compliance.audit import work


class LocalRunner:
    """A pool of processes (spawned: no state inherited by accident), each given Shared once and
    ending when the audit does (compliance.lifeline)."""

    def __init__(self, shared: work.Shared, jobs: int | None = None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs or os.cpu_count() or 1
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=work.init_worker, initargs=(shared,))
        self.where = ("runner_local", {"jobs": self.jobs})

    def run(self, tasks: Iterable[tuple]) -> Iterator:
        """Results of (fn, *args) tasks in the order they complete; a bounded number in flight."""
        from concurrent.futures import FIRST_COMPLETED, wait

        tasks = iter(tasks)
        pending = set()
        window = 2 * self.jobs + 1
        while True:
            while len(pending) < window:
                task = next(tasks, None)
                if task is None:
                    break
                pending.add(self.pool.submit(work.in_pool, *task))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield f.result()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


class DaskRunner:
    """An existing Dask cluster: Shared is scattered to every worker once (broadcast)."""

    def __init__(self, shared: work.Shared, address: str):
        try:
            from distributed import Client
        except ImportError:
            from compliance.errors import UnusableInput

            raise UnusableInput("dask-missing") from None
        self.client = Client(address)
        self.shared = self.client.scatter(shared, broadcast=True, hash=False)
        self.jobs = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
        self.where = ("runner_dask", {"address": address, "jobs": self.jobs})

    def run(self, tasks: Iterable[tuple]) -> Iterator:
        from distributed import as_completed

        tasks = iter(tasks)
        window = 2 * self.jobs + 1
        first = []
        for task in tasks:
            first.append(self.client.submit(task[0], *task[1:], self.shared, pure=False))
            if len(first) >= window:
                break
        if not first:
            return
        queue = as_completed(first)
        for future in queue:
            result = future.result()
            future.release()
            task = next(tasks, None)
            if task is not None:
                queue.add(self.client.submit(task[0], *task[1:], self.shared, pure=False))
            yield result

    def close(self) -> None:
        self.client.close()


def runner(shared: work.Shared, scheduler: str | None, jobs: int | None):
    return DaskRunner(shared, scheduler) if scheduler else LocalRunner(shared, jobs)
