"""The employer's self-check page and the API for scripts (`compliance serve`).

Starlette (a small, well-kept ASGI toolkit: routing, multipart forms, a test client; nothing we
do not use) served by uvicorn. The same reading and `check()` as the command line run on the
uploaded bytes, in a pool of worker processes with a time and a memory limit (pool.py, worker.py);
the rule set is loaded once when the app is made, and once in each worker."""
from compliance.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
