"""POST a payroll to a running `compliance serve` with the standard library only (the wheel's
venv has no HTTP client): prints the report's totals, exits 1 unless the status is 200."""
import json
import sys
import time
import urllib.request
import uuid
from pathlib import Path

url, path = sys.argv[1], Path(sys.argv[2])
for _ in range(100):
    try:
        urllib.request.urlopen(url.rsplit("/api/", 1)[0] + "/", timeout=1).read()
        break
    except OSError:
        time.sleep(0.2)
boundary = uuid.uuid4().hex
body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
request = urllib.request.Request(url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
with urllib.request.urlopen(request, timeout=60) as r:
    report = json.load(r)
    print(r.status, report["totals"])
    sys.exit(0 if r.status == 200 else 1)
