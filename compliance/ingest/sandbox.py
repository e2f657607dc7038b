"""Read a workbook in a child process with an address-space limit (compliance/ingest/workbook_child.py),
for the formats whose sheets the xlsx pre-scan cannot measure (.xls, .ods, .xlsb): a reader that
would allocate a huge grid, loop or abort ends the child, and the caller (the server, an audit's
worker) refuses the file with its reason and goes on.

The child imports only python-calamine (about 0.1 s to start); its cells come back pickled.
"""
from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

from compliance.errors import UnusableInput

CHILD = Path(__file__).with_name("workbook_child.py")
CHILD_MEMORY = 1024 ** 3        # address space of the child that reads (the 1 GB bound)
TIMEOUT_S = 300                 # a reader that has not finished by then is stopped


def read_in_child(data: bytes, name: str, read_limit: int, per_cell: int, per_value: int,
                  per_text: int) -> list[tuple[str, bool, list[list]]]:
    """[(sheet name, visible, rows)] of the workbook, or UnusableInput with its reason."""
    args = [sys.executable, "-P", str(CHILD), str(CHILD_MEMORY), str(read_limit), str(per_cell), str(per_value),
            str(per_text)]
    try:
        proc = subprocess.run(args, input=data, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise UnusableInput("workbook-read-timeout", file=name, seconds=TIMEOUT_S) from None
    if proc.returncode != 0 or not proc.stdout:
        raise UnusableInput("workbook-needs-memory", file=name, limit_mb=CHILD_MEMORY // 1024 ** 2)
    answer = pickle.loads(proc.stdout)
    if answer[0] == "ok":
        return answer[1]
    if answer[0] == "refused":
        raise UnusableInput(answer[1], file=name, **answer[2])
    if answer[1] == "password":
        raise UnusableInput("workbook-encrypted", file=name)
    raise UnusableInput("workbook-damaged", file=name, reason=answer[2])
