"""Routes, limits and security headers of the self-check page.

    GET  /                    the page (Indonesian; ?lang=en for English)
    GET  /static/app.js|css   its script and styles (no third-party request anywhere)
    GET  /template.xlsx       the blank payroll template
    POST /check               the result as an HTML fragment (the page's script inserts it)
    POST /download/KIND       findings.xlsx or the annotated workbook of the same upload
    POST /api/check           for scripts: the report contract's JSON

Nothing is stored: each request reads the upload into memory, has it checked and forgets it (an
upload is never written to disk under its own name; its name is only used for its type). The
checks run in a small pool of worker processes (compliance/web/pool.py), each with a memory
limit; one that takes longer than the timeout has its worker killed and replaced, and a full pool
answers 503 with Retry-After. Forms are CSRF-safe (a token signed by this server, in a
SameSite=Strict cookie that the page sends back in a header), the API refuses requests from
another origin unless allowed, uploads are bounded, and every response carries a strict
Content-Security-Policy and the other security headers.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from compliance.errors import UnusableInput

CSRF_COOKIE = "compliance_csrf"
FIELDS = ("period", "company_size", "jkk_risk", "regency", "npp", "company_name", "lang")
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-store",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def default_workers() -> int:
    """One worker for every two cores (one on a two-core machine): the server keeps a core."""
    return max(1, len(os.sched_getaffinity(0)) // 2 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class WebSettings:
    max_upload_mb: float = 20.0        # an upload larger than this is refused (413)
    timeout_s: float = 60.0            # a check taking longer has its worker killed and replaced (503)
    workers: int = default_workers()   # worker processes: checks at once
    queue: int = 8                     # checks that may wait for a worker; beyond, 503 with Retry-After
    worker_memory_mb: float = 1536     # each worker's address space (RLIMIT_AS); beyond, the file is refused (422)
    allow_origins: tuple[str, ...] = ()    # other origins whose pages may call /api/check ("*": any)
    engine: str = "pandas"             # the same checks as Great Expectations, without its per-request cost
    rules: Path | None = None
    templates: Path | None = None

    @property
    def max_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


class Refused(Exception):
    """A request that gets a JSON (or HTML) error with its status."""

    def __init__(self, status: int, message: str, needs: list[str] | None = None, code: str | None = None,
                 problem: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.needs, self.code, self.problem = status, message, needs or [], code, problem
        self.headers = headers or {}

    def __reduce__(self):          # a worker process sends it back whole
        return Refused, (self.status, self.message, self.needs, self.code, self.problem, self.headers)

    def body(self) -> dict:
        """The JSON error: the words, and the code with its data beside them."""
        out = {"error": self.message, "status": self.status, "needs": self.needs}
        if self.problem:
            out.update(code=self.problem["code"], data=self.problem["data"])
        elif self.code:
            out["code"] = self.code
        return out


class _TooLarge(Exception):
    pass


def create_app(settings: WebSettings | None = None):
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from compliance.ruleset import load_rule_set
    from compliance.resources import rules_dir, templates_dir

    settings = settings or WebSettings()
    state = _State(settings, load_rule_set(settings.rules or rules_dir()), Path(settings.templates or templates_dir()))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        state.pool.start()            # also started by the first check when the app runs without a lifespan
        try:
            yield
        finally:
            state.pool.close()

    routes = [
        Route("/", state.page, methods=["GET"]),
        Route("/static/{name}", state.static, methods=["GET"]),
        Route("/template.xlsx", state.template, methods=["GET"]),
        Route("/check", state.check_fragment, methods=["POST"]),
        Route("/download/{kind}", state.download, methods=["POST"]),
        Route("/api/check", state.api_check, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan,
                     middleware=[Middleware(SecurityHeaders), Middleware(LimitBody, max_bytes=settings.max_bytes)])


class SecurityHeaders:
    """Pure ASGI: the security headers on every response, errors included."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items() if k.lower().encode() not in names]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


class LimitBody:
    """Refuses a body over the limit: at once by its Content-Length, else while it arrives."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max + 64 * 1024):
            return await _json_error(send, 413, f"the upload is larger than {self.max / 1024 / 1024:.0f} MB")
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max + 64 * 1024:
                    raise _TooLarge()
            return message

        await self.app(scope, counted, send)


async def _json_error(send, status: int, message: str) -> None:
    import json

    body = json.dumps({"error": message, "status": status}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class _State:
    def __init__(self, settings: WebSettings, rule_set, templates: Path):
        from compliance.outputs.letters import environment
        from compliance.web.pool import WorkerPool
        from compliance.web.worker import Checks

        self.settings, self.rule_set, self.templates = settings, rule_set, templates
        self.env = environment(templates)
        self.secret = secrets.token_bytes(32)        # signs the page's CSRF tokens; a new one at each start
        self.pool = WorkerPool(Checks(settings.rules, settings.templates, settings.engine), size=settings.workers,
                               queue=settings.queue, memory_mb=settings.worker_memory_mb, timeout_s=settings.timeout_s)
        self.static_files = {"app.js": ("web/app.js", "text/javascript; charset=utf-8"),
                             "app.css": ("web/app.css", "text/css; charset=utf-8")}

    # -- pages ------------------------------------------------------------------------------------
    async def page(self, request):
        from starlette.responses import HTMLResponse

        from compliance.outputs.template import RISKS, SIZES, regencies

        lang = "en" if request.query_params.get("lang") == "en" else "id"
        token = request.cookies.get(CSRF_COOKIE) or ""
        if not self._signed(token):
            token = self._sign(secrets.token_urlsafe(24))
        html = self.env.get_template("web/index.html.j2").render(
            T=self.rule_set.texts[lang]["web"], lang=lang, csrf=token, sizes=SIZES, risks=RISKS,
            regencies=regencies(self.rule_set), max_mb=self.settings.max_upload_mb)
        response = HTMLResponse(html)
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                            path="/")
        return response

    async def static(self, request):
        from starlette.responses import Response

        found = self.static_files.get(request.path_params["name"])      # fixed names, never a path
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response((self.templates / found[0]).read_bytes(), media_type=found[1])

    async def template(self, request):
        from starlette.responses import Response

        from compliance.outputs.template import template_xlsx

        lang = "en" if request.query_params.get("lang") == "en" else "id"
        return Response(template_xlsx(self.rule_set, lang), media_type=XLSX,
                        headers={"Content-Disposition": 'attachment; filename="template-gaji.xlsx"'})

    # -- checks -----------------------------------------------------------------------------------
    async def check_fragment(self, request):
        from starlette.responses import HTMLResponse

        try:
            form = await self._form(request, csrf=True)
            html = await self._run(form, "fragment")
        except Refused as exc:
            T = self._texts(request, form_lang=True)
            lang = getattr(request.state, "lang", "id")
            columns = self.rule_set.columns.columns
            missing = [(n, columns[n].label_in(lang), columns[n].description[lang])
                       for n in (x.split(":", 1)[1] for x in exc.needs if x.startswith("column:")) if n in columns]
            headers = (exc.problem or {}).get("data", {}).get("headers") or []
            html = self.env.get_template("web/error.html.j2").render(
                T=T, message=T["errors"].get(exc.code, exc.message) if exc.code else exc.message, needs=exc.needs,
                missing=missing if headers else [], headers=headers)
            return HTMLResponse(html, status_code=exc.status, headers=exc.headers)
        return HTMLResponse(html, status_code=200)

    async def download(self, request):
        from starlette.responses import JSONResponse, Response

        kind = request.path_params["kind"]
        if kind not in ("findings.xlsx", "annotated.xlsx"):
            return JSONResponse({"error": "no such download", "status": 404}, status_code=404)
        try:
            form = await self._form(request, csrf=True)
            data = await self._run(form, kind)
        except Refused as exc:
            return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
        name = {"findings.xlsx": "temuan.xlsx", "annotated.xlsx": "hasil-pemeriksaan.xlsx"}[kind]
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                        "X-Filename": name})

    async def api_check(self, request):
        from starlette.responses import JSONResponse, Response

        origin = request.headers.get("origin")
        allowed = self._allowed(request, origin)
        extra = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if allowed and origin else {}
        try:
            if not allowed:
                raise self._refused(request, 403, "cross-origin")
            form = await self._form(request, csrf=False)
            data = await self._run(form, "json")
        except Refused as exc:
            return JSONResponse(exc.body(), status_code=exc.status, headers={**exc.headers, **extra})
        return Response(data, media_type="application/json", headers=extra)

    def _allowed(self, request, origin: str | None) -> bool:
        """The page's own origin, or one given with --allow-origin; without an Origin header, not
        a browser's cross-site request (Sec-Fetch-Site)."""
        if origin is None:
            return request.headers.get("sec-fetch-site") in (None, "same-origin", "none")
        own = f"{request.url.scheme}://{request.url.netloc}"
        return origin == own or origin in self.settings.allow_origins or "*" in self.settings.allow_origins

    # -- the CSRF token: random, signed with this server's secret ---------------------------------
    def _sign(self, nonce: str) -> str:
        mac = hmac.new(self.secret, nonce.encode(), hashlib.sha256).digest()
        return f"{nonce}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def _signed(self, token: str) -> bool:
        nonce = token.rpartition(".")[0]
        return bool(nonce) and hmac.compare_digest(self._sign(nonce).encode(), token.encode())

    # -- the shared steps -------------------------------------------------------------------------
    def _texts(self, request, form_lang: bool = False) -> dict:
        lang = request.query_params.get("lang") or (getattr(request.state, "lang", None) if form_lang else None)
        return self.rule_set.texts["en" if lang == "en" else "id"]["web"]

    async def _form(self, request, csrf: bool) -> dict:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise self._refused(request, 400, "form-not-multipart")
        try:
            form = await request.form(max_files=1, max_fields=60, max_part_size=64 * 1024)
        except _TooLarge:
            raise self._refused(request, 413, "upload-too-large", mb=f"{self.settings.max_upload_mb:.0f}") from None
        except Exception as exc:  # noqa: BLE001 - a malformed form is the client's error
            raise self._refused(request, 400, "form-unreadable", kind=type(exc).__name__) from None
        request.state.lang = "en" if form.get("lang") == "en" else "id"
        try:
            if csrf:        # the cookie's token, signed by this server, sent back by the page's script
                token = str(request.headers.get("x-csrf-token") or form.get("csrf_token") or "")
                cookie = request.cookies.get(CSRF_COOKIE) or ""
                if not self._signed(cookie) or not hmac.compare_digest(token.encode(), cookie.encode()):
                    raise self._refused(request, 403, "form-expired")
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise self._refused(request, 400, "form-no-file")
            data = await upload.read(self.settings.max_bytes + 1)
            if len(data) > self.settings.max_bytes:
                raise self._refused(request, 413, "upload-too-large", mb=f"{self.settings.max_upload_mb:.0f}")
            values = {k: str(form.get(k)).strip() for k in FIELDS if form.get(k) not in (None, "")}
            return {"data": data, "name": _upload_name(upload.filename), "values": values,
                    "map": [str(v) for v in form.getlist("map") if str(v).strip()]}
        finally:
            await form.close()

    def _refused(self, request, status: int, code: str, **data) -> Refused:
        """A refusal of the request itself (not of the file), worded in the form's language."""
        lang = getattr(request.state, "lang", None) or ("en" if request.query_params.get("lang") == "en" else "id")
        return self._problem(lang, status, code, **data)

    def _problem(self, lang: str, status: int, code: str, headers: dict | None = None, **data) -> Refused:
        problem = UnusableInput(code, **data)
        return Refused(status, problem.words(lang, self.rule_set.texts, with_file=False),
                       problem=problem.to_dict(lang, self.rule_set.texts), headers=headers)

    async def _run(self, form: dict, kind: str) -> bytes:
        """Have a worker check the upload and render `kind`; the pool's limits as refusals."""
        from starlette.concurrency import run_in_threadpool

        from compliance.web.pool import PoolFull, TimedOut, WorkerLost

        lang = "en" if form["values"].get("lang") == "en" else "id"
        try:
            with self.pool.admitted():
                reply = await run_in_threadpool(self.pool.run, {"kind": kind, "form": form})
        except PoolFull:
            seconds = self.pool.retry_after()
            raise self._problem(lang, 503, "server-busy", headers={"Retry-After": str(seconds)},
                                seconds=seconds) from None
        except TimedOut:
            raise self._problem(lang, 503, "check-timeout", seconds=f"{self.settings.timeout_s:.0f}") from None
        except WorkerLost:
            raise self._problem(lang, 422, "check-memory", mb=f"{self.settings.worker_memory_mb:.0f}") from None
        if "refused" in reply:
            raise reply["refused"]
        return reply["body"]


def _upload_name(filename: str | None) -> str:
    """Only the name's last part, made safe: it tells the file's type, never where to write."""
    from compliance.outputs.files import safe_name

    return safe_name(Path(str(filename or "upload").replace("\\", "/")).name, 120)
