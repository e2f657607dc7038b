"""The ledger of issued letters: one JSON object per line in `ledger.jsonl` of the output folder.

A letter number is issued once per company, period and stage: running the same check into the
same folder again renders the letter under the number already issued, unless a reissue is asked
for. Updates hold a lock (filelock: the same on Windows, where many HR staff work, as on Linux)
and replace the file atomically.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

from compliance.errors import UnusableInput
from compliance.outputs.files import write_atomic

LEDGER = "ledger.jsonl"


@contextlib.contextmanager
def locked(folder: Path):
    from filelock import FileLock

    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".ledger.lock")):
        yield


def read(folder: Path) -> list[dict]:
    path = folder / LEDGER
    if not path.exists():
        return []
    entries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                raise UnusableInput(f"{path}:{n}: not a ledger entry (the ledger was edited by hand?)") from None
    return entries


def write(folder: Path, entries: list[dict]) -> None:
    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries)
    write_atomic(folder / LEDGER, text.encode("utf-8"))


def company_key(company: dict) -> str:
    return company.get("npp") or company.get("name") or ""


def find(entries: list[dict], key: str, period: str, stage: int) -> dict | None:
    """The letter in force (the latest issued) for a company, period and stage."""
    found = [e for e in entries if e["company_key"] == key and e["period"] == period and e["stage"] == stage]
    return found[-1] if found else None


def next_seq(entries: list[dict], office: str, year: int) -> int:
    return 1 + max((e["seq"] for e in entries if e["office"] == office and e["year"] == year), default=0)
