"""Load test of `compliance serve` on this machine: N requests of a 1,000-row payroll from C
concurrent clients against a real server on 127.0.0.1 (one uvicorn process, as shipped).

    .venv/bin/python benchmarks/serve_load.py [--requests 200] [--clients 8] [--rows 1000]

Prints requests per second, latency (median, p95, max), errors, and the server's resident
memory after warm-up, half-way and at the end (flat means no leak per request).
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None) -> None:
    import httpx

    import make_data

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--engine", choices=["gx", "pandas"], default="pandas")
    a = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    make_data.make(tmp, 1, a.rows, 7)
    payroll = next((tmp / "kiriman").iterdir())
    data = payroll.read_bytes()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "compliance"), "serve", "--port", str(port),
                               "--engine", a.engine], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/check"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        with httpx.Client(timeout=120) as c:                         # warm-up: imports, first check
            for _ in range(3):
                c.post(url, files={"file": (payroll.name, data)}).raise_for_status()
        memory = [("after warm-up", rss_mb(server.pid))]
        latencies, errors, lock = [], [], threading.Lock()
        todo = list(range(a.requests))

        def client():
            with httpx.Client(timeout=120) as c:
                while True:
                    with lock:
                        if not todo:
                            return
                        n = todo.pop()
                        if n == a.requests // 2:
                            memory.append(("half-way", rss_mb(server.pid)))
                    t = time.perf_counter()
                    r = c.post(url, files={"file": (payroll.name, data)})
                    took = time.perf_counter() - t
                    with lock:
                        latencies.append(took)
                        if r.status_code != 200 or "findings" not in r.json():
                            errors.append(r.status_code)

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        memory.append(("at the end", rss_mb(server.pid)))
    finally:
        server.terminate()
        server.wait(10)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"{a.requests} requests of a {a.rows:,}-row payroll ({len(data) / 1024:.0f} KB, {payroll.suffix}) from "
          f"{a.clients} clients, engine {a.engine}, one server process")
    print(f"  {a.requests / wall:.1f} requests/s; latency median {statistics.median(latencies):.2f} s, "
          f"p95 {p95:.2f} s, max {latencies[-1]:.2f} s; errors {len(errors)}")
    print("  server memory: " + ", ".join(f"{k} {v:,.0f} MB" for k, v in memory))


if __name__ == "__main__":
    main()
