"""Mixed load test of `compliance serve` on this machine: good uploads (a 1,000-row payroll) from
C concurrent clients with hostile requests mixed in, against a real server on 127.0.0.1 (one
uvicorn process and its pool of worker processes, as shipped).

    .venv/bin/python benchmarks/serve_load.py [--requests 160] [--clients 8] [--hostile-every 4]
                                              [--timeout 5] [--workers N] [--queue 8]

Every `--hostile-every`-th request of a client is hostile, in turn: a megabyte of blank lines, a
payroll far too slow to check within --timeout, a workbook whose sheet claims a cell at
XFD1048576 (its reader asks for 550 GB), a zip bomb, random bytes named .xlsx, an upload over
the size limit, a form with a forged CSRF cookie, an API call from a foreign Origin. Prints
server deaths, failed good requests, the good requests' latency (median, p95, max), what each
kind of hostile request was answered, and the memory of the server process and of its workers
(resident, sampled every 0.2 s).
"""
from __future__ import annotations

import argparse
import collections
import io
import os
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]      # make_data; tests.conftest's start_server (as the tests start it)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def payroll_csv(rows: int) -> bytes:
    """A plain payroll of `rows` workers, a third unregistered."""
    lines = ["Periode: Juni 2025", "No;NIK;Nama;Status;Tgl Masuk;Gaji Pokok;No KPJ;Upah BPJS"]
    lines += [f"{i};1771011203{i:06d};Pekerja {i};Tetap;01/02/2020;4.500.000;{'' if i % 3 == 0 else f'17{i:09d}'};"
              f"4.000.000" for i in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def hostile_requests() -> list[tuple[str, dict]]:
    """(kind, httpx request arguments) of each hostile request."""
    import openpyxl

    small = payroll_csv(3)
    wb = openpyxl.Workbook()
    for row in small.decode().splitlines():
        wb.active.append(row.split(";"))
    wb.active["XFD1048576"] = "x"
    far = io.BytesIO()
    wb.save(far)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * 60_000_000 + b"</a>")
    return [
        ("blank lines, 1 MB", {"files": {"file": ("kosong.csv", small + b"\n" * 1_040_000)}}),
        ("too slow to check", {"files": {"file": ("besar.csv", payroll_csv(150_000))}}),
        ("cell at XFD1048576", {"files": {"file": ("jauh.xlsx", far.getvalue())}}),
        ("zip bomb", {"files": {"file": ("bom.xlsx", bomb.getvalue())}}),
        ("random bytes", {"files": {"file": ("acak.xlsx", os.urandom(200_000))}}),
        ("over the size limit", {"files": {"file": ("besar.csv", b"0" * 21 * 1024 * 1024)}}),
        ("forged CSRF cookie", {"path": "check", "files": {"file": ("gaji.csv", small)},
                                "headers": {"Cookie": "compliance_csrf=x", "X-CSRF-Token": "x"}}),
        ("foreign Origin", {"files": {"file": ("gaji.csv", small)}, "headers": {"Origin": "https://evil.example"}}),
    ]


def main(argv=None) -> None:
    import httpx

    import make_data
    from tests.conftest import start_server

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=160)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--hostile-every", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--workers", type=int, default=None, help="default: the server's (one for every two cores)")
    ap.add_argument("--queue", type=int, default=8)
    a = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    make_data.make(tmp, 1, a.rows, 7)
    payroll = sorted((tmp / "kiriman").iterdir())[0]
    data = payroll.read_bytes()
    hostile = hostile_requests()
    options = ["--timeout", a.timeout, "--queue", a.queue] + (["--workers", a.workers] if a.workers else [])
    url, server = start_server(tmp / "serve.log", *options)
    memory = {"server": [], "workers": []}
    done = threading.Event()

    def sample():
        while not done.is_set():
            memory["server"].append(rss_mb(server.pid))
            memory["workers"].append(sum(rss_mb(p) for p in children(server.pid)))
            time.sleep(0.2)

    try:
        with httpx.Client(timeout=300) as c:                         # warm-up: the worker's first check
            for _ in range(2):
                c.post(url + "api/check", files={"file": (payroll.name, data)}).raise_for_status()
        at_start = rss_mb(server.pid)
        threading.Thread(target=sample, daemon=True).start()
        latencies, failed, answers, lock = [], [], collections.defaultdict(collections.Counter), threading.Lock()
        todo = list(range(a.requests))

        def client(n: int):
            with httpx.Client(timeout=300) as c:
                while True:
                    with lock:
                        if not todo:
                            return
                        i = todo.pop()
                    if i % a.hostile_every == a.hostile_every - 1:
                        kind, request = hostile[(i // a.hostile_every) % len(hostile)]
                        request = dict(request)
                        try:
                            r = c.post(url + request.pop("path", "api/check"), **request)
                            json = r.headers.get("content-type", "").startswith("application/json")
                            answer = (f"{r.status_code} ({len(r.content) / 1024:.0f} KB)" if r.status_code == 200 else
                                      f"{r.status_code} {r.json().get('code', '') if json else '(page)'}")
                        except httpx.HTTPError as exc:
                            answer = type(exc).__name__
                        with lock:
                            answers[kind][answer.strip()] += 1
                        continue
                    t = time.perf_counter()
                    try:
                        r = c.post(url + "api/check", files={"file": (payroll.name, data)})
                        ok = r.status_code == 200 and "findings" in r.json()
                    except httpx.HTTPError as exc:
                        r, ok = exc, False
                    took = time.perf_counter() - t
                    with lock:
                        latencies.append(took)
                        if not ok:
                            failed.append(getattr(r, "status_code", type(r).__name__))

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        deaths = 0 if server.poll() is None and httpx.get(url, timeout=10).status_code == 200 else 1
        at_end = rss_mb(server.pid)
    finally:
        done.set()
        server.terminate()
        server.wait(10)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    good = len(latencies)
    print(f"{a.requests} requests from {a.clients} clients in {wall:.0f} s: {good} good uploads of a "
          f"{a.rows:,}-row payroll ({len(data) / 1024:.0f} KB, {payroll.suffix}), {a.requests - good} hostile; "
          f"server {' '.join(map(str, options))}")
    print(f"  server deaths {deaths}; failed good requests {len(failed)} {failed or ''}")
    print(f"  good requests: latency median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
          f"max {latencies[-1]:.2f} s")
    for kind, _ in hostile:
        print(f"  {kind:<22} " + ", ".join(f"{answer} x{n}" for answer, n in sorted(answers[kind].items())))
    print(f"  server process memory: {at_start:,.0f} MB after warm-up, max {max(memory['server']):,.0f} MB, "
          f"{at_end:,.0f} MB at the end; its workers together: max {max(memory['workers']):,.0f} MB")
    # CI runs this: a server death or a failed good request is a failure (exit 1); latency is printed only
    return 1 if deaths or failed else 0


if __name__ == "__main__":
    sys.exit(main())
