"""The page's limits hold against an outsider (issue 19): CSRF tokens only this server signed,
/api/check only from the page's own origin, checks in worker processes that are really stopped
after --timeout or when out of memory (and replaced), a full pool answers 503 with Retry-After,
workers end with the server, and a megabyte of blank lines answers in a few kilobytes."""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import HEADER, SAMPLES, start_server, worker

MAJU = (SAMPLES / "pt-maju-bersama-juni-2025.xlsx").read_bytes()


def big_payroll(rows: int) -> bytes:
    """A real payroll of `rows` workers (a third unregistered): seconds of honest work."""
    lines = ["Periode: Juni 2025", ";".join(HEADER)]
    for i in range(1, rows + 1):
        w = worker(i % 99_999 + 1, NIK=f"1771011203{i:06d}", **{"No KPJ": "" if i % 3 == 0 else f"17{i:09d}"})
        lines.append(";".join(map(str, w)))
    return ("\n".join(lines) + "\n").encode()


# -- CSRF and origins (no worker needed) ----------------------------------------------------------
def forms(client, token: str, cookie: str | None = None, **form) -> list:
    """The page's two form routes, with this cookie and this token (and nothing in the cookie jar)."""
    client.cookies.clear()
    headers = {"X-CSRF-Token": token.encode(), "Cookie": f"compliance_csrf={cookie or token}".encode()}
    return [client.post(route, files={"file": ("gaji.xlsx", MAJU)}, data=form, headers=headers)
            for route in ("/check", "/download/findings.xlsx")]


def test_a_forged_csrf_cookie_is_refused(client):
    """The page used to adopt any cookie as its token: `compliance_csrf=x` and `X-CSRF-Token: x` passed."""
    check, download = forms(client, "x")
    assert check.status_code == 403 and "kedaluwarsa" in check.text
    assert download.status_code == 403 and download.json()["code"] == "form-expired"
    page = client.get("/", headers={"Cookie": "compliance_csrf=x"})   # nor is it adopted: the page issues its own
    assert page.cookies.get("compliance_csrf") not in (None, "x") and 'content="x"' not in page.text
    client.cookies.clear()


def test_a_token_this_server_did_not_sign_is_refused(client):
    from starlette.testclient import TestClient

    from compliance.web import create_app

    foreign = TestClient(create_app()).get("/").cookies.get("compliance_csrf")     # another server's secret
    nonce, _, mac = foreign.rpartition(".")
    for token in (foreign, f"{nonce}.{mac[:-2]}AA", f"{nonce}x.{mac}", f".{mac}", "\u00e9.\u00e9"):
        for r in forms(client, token, lang="en"):
            assert r.status_code == 403 and "expired" in r.text, (token, r.text)
    own = client.get("/").cookies.get("compliance_csrf")
    assert own.count(".") == 1 and len(own) > 60
    assert [r.status_code for r in forms(client, own)] == [200, 200]
    assert forms(client, own, cookie=foreign)[0].status_code == 403      # the token must be the cookie's
    client.cookies.clear()


def test_the_api_refuses_a_foreign_origin_unless_allowed(client):
    from starlette.testclient import TestClient

    from compliance.web import WebSettings, create_app

    for lang, words in (("id", "situs lain"), ("en", "another site")):
        r = client.post(f"/api/check?lang={lang}", files={"file": ("gaji.xlsx", MAJU)},
                        headers={"Origin": "https://evil.example"})
        assert r.status_code == 403 and r.json()["code"] == "cross-origin" and words in r.json()["error"]
        assert "access-control-allow-origin" not in r.headers
    assert client.post("/api/check", files={"file": ("g.xlsx", MAJU)}, headers={"Origin": "null"}).status_code == 403
    r = client.post("/api/check", files={"file": ("gaji.xlsx", MAJU)}, headers={"Origin": "http://testserver"})
    assert r.status_code == 200 and r.json()["totals"]["violations"] == 3        # the page's own origin
    allowed = TestClient(create_app(WebSettings(allow_origins=("https://intranet.example",))))
    # past the origin check: the form is what is refused now (no worker needed to see it)
    r = allowed.post("/api/check", data={"period": "2025-06"}, headers={"Origin": "https://intranet.example"})
    assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "https://intranet.example"
    r = allowed.post("/api/check", data={"period": "2025-06"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


# -- the answer's size ----------------------------------------------------------------------------
def test_a_megabyte_of_blank_lines_answers_in_a_small_json(client, validate_schema):
    """It answered 37 MB of JSON (every blank row listed) and took a minute of a thread."""
    head = "Periode: Juni 2025\n" + ";".join(HEADER) + "\n" + ";".join(map(str, worker(1))) + "\n"
    data = (head + "\n" * (1024 * 1024 - len(head) - 10)).encode()
    started = time.monotonic()
    r = client.post("/api/check", files={"file": ("kosong.csv", data)})
    took = time.monotonic() - started
    assert r.status_code == 200 and len(r.content) < 300_000, len(r.content)
    d = r.json()
    validate_schema(d, "check-report.schema.json")
    assert d["ignored_row_ranges"] == [{"from": 1, "to": 1, "count": 1, "reason": "title"},   # above the header
                                       {"from": 4, "to": 4 + len(data) - len(head) - 1,
                                        "count": len(data) - len(head), "reason": "blank"}]
    assert len(d["ignored_rows"]) == 1000 and d["source"]["rows_read"] == 1
    assert took < 30, took


# -- the worker pool, against a real server -------------------------------------------------------
def workers_of(server: int) -> list[int]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == server and b"spawn_main" in cmdline and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def served(url: str) -> httpx.Response:
    """A sample checked (after a worker was replaced, once the new one is ready)."""
    r = httpx.post(url + "api/check", files={"file": ("gaji.xlsx", MAJU)}, timeout=120)
    assert r.status_code == 200 and r.json()["totals"]["violations"] == 3
    return r


def checking(pid: int, slow_file: bytes, url: str) -> tuple[threading.Thread, dict]:
    """Post the slow file in a thread; return once the worker is busy with it."""
    idle, answer = cpu_seconds(pid), {}

    def post():
        try:
            answer["r"] = httpx.post(url + "api/check", files={"file": ("besar.csv", slow_file)}, timeout=120)
        except httpx.TransportError as exc:        # the server was killed under it
            answer["error"] = exc

    thread = threading.Thread(target=post)
    thread.start()
    wait_for(lambda: cpu_seconds(pid) > idle + 0.3)
    return thread, answer


def wait_for(what, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """One worker, no queue, two seconds a check."""
    url, proc = start_server(tmp_path_factory.mktemp("serve") / "serve.log", "--workers", 1, "--queue", 0,
                             "--timeout", 2)
    served(url)
    yield url, proc
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def slow_file():
    return big_payroll(200_000)        # about 19 MB: far longer than two seconds to check


def test_a_check_longer_than_the_timeout_is_stopped_and_its_worker_replaced(strict, slow_file):
    url, proc = strict
    before = workers_of(proc.pid)
    r = httpx.post(url + "api/check", files={"file": ("besar.csv", slow_file)}, data={"lang": "en"}, timeout=120)
    assert r.status_code == 503 and r.json()["code"] == "check-timeout" and "longer than 2 s" in r.json()["error"]
    assert len(before) == 1 and not running(before[0])             # really stopped, not left to finish
    after = wait_for(lambda: workers_of(proc.pid))
    assert len(after) == 1 and after != before
    served(url)                                                    # the next request is served
    assert proc.poll() is None


def test_a_full_pool_answers_503_with_retry_after(strict, slow_file):
    url, proc = strict
    served(url)
    thread, first = checking(workers_of(proc.pid)[0], slow_file, url)     # the only worker is busy
    for lang, words in (("id", "coba lagi"), ("en", "try again")):
        r = httpx.post(url + "api/check", files={"file": ("gaji.xlsx", MAJU)}, data={"lang": lang}, timeout=60)
        assert r.status_code == 503 and r.json()["code"] == "server-busy" and words in r.json()["error"]
        assert 1 <= int(r.headers["retry-after"]) <= 2
    thread.join()
    assert first["r"].status_code == 503 and first["r"].json()["code"] == "check-timeout"
    served(url)


def test_a_file_needing_more_memory_than_a_worker_has_is_refused_and_workers_end_with_the_server(tmp_path):
    url, proc = start_server(tmp_path / "serve.log", "--workers", 1, "--worker-memory", 600)
    try:
        served(url)
        before = workers_of(proc.pid)
        r = httpx.post(url + "api/check", files={"file": ("besar.csv", big_payroll(200_000))}, timeout=120)
        assert r.status_code == 422 and r.json()["code"] == "check-memory" and "600 MB" in r.json()["error"]
        served(url)                                                # by a new worker; the server lives on
        after = workers_of(proc.pid)
        assert len(after) == 1 and after != before and proc.poll() is None
        thread, _ = checking(after[0], big_payroll(30_000), url)
    finally:
        os.kill(proc.pid, signal.SIGKILL)          # no shutdown: the kernel ends the workers, busy or idle
        proc.wait(10)
    wait_for(lambda: not running(after[0]), seconds=5)
    thread.join()


def test_the_pool_settings_are_options_of_serve():
    from click.testing import CliRunner

    from compliance.cli import main

    text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert all(option in text for option in ("--workers", "--queue", "--worker-memory", "--allow-origin"))
