"""Routes, limits and security headers of the self-check page.

    GET  /                    the page (Indonesian; ?lang=en for English)
    GET  /static/app.js|css   its script and styles (no third-party request anywhere)
    GET  /template.xlsx       the blank payroll template
    POST /check               the result as an HTML fragment (the page's script inserts it)
    POST /download/KIND       findings.xlsx or the annotated workbook of the same upload
    POST /api/check           for scripts: the report contract's JSON

Nothing is stored: each request reads the upload into memory, checks it and forgets it (an
upload is never written to disk under its own name; its name is only used for its type). Forms
are CSRF-safe (a token in a SameSite=Strict cookie that the page sends back in a header), the
API refuses cross-site browser requests, uploads and checking time are bounded, and every
response carries a strict Content-Security-Policy and the other security headers.
"""
from __future__ import annotations

import asyncio
import hmac
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


@dataclass(frozen=True)
class WebSettings:
    max_upload_mb: float = 20.0        # an upload larger than this is refused (413)
    timeout_s: float = 60.0            # a check taking longer is abandoned (503)
    concurrent: int = 4                # checks at once; others wait (memory stays bounded)
    engine: str = "pandas"             # the same checks as Great Expectations, without its per-request cost
    rules: Path | None = None
    templates: Path | None = None

    @property
    def max_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


class Refused(Exception):
    """A request that gets a JSON (or HTML) error with its status."""

    def __init__(self, status: int, message: str, needs: list[str] | None = None, code: str | None = None,
                 problem: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.needs, self.code, self.problem = status, message, needs or [], code, problem

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
    routes = [
        Route("/", state.page, methods=["GET"]),
        Route("/static/{name}", state.static, methods=["GET"]),
        Route("/template.xlsx", state.template, methods=["GET"]),
        Route("/check", state.check_fragment, methods=["POST"]),
        Route("/download/{kind}", state.download, methods=["POST"]),
        Route("/api/check", state.api_check, methods=["POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), Middleware(LimitBody,
                                                                                          max_bytes=settings.max_bytes)])


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

        self.settings, self.rule_set, self.templates = settings, rule_set, templates
        self.env = environment(templates)
        self.slots = asyncio.Semaphore(settings.concurrent)
        self.static_files = {"app.js": ("web/app.js", "text/javascript; charset=utf-8"),
                             "app.css": ("web/app.css", "text/css; charset=utf-8")}

    # -- pages ------------------------------------------------------------------------------------
    async def page(self, request):
        from starlette.responses import HTMLResponse

        from compliance.outputs.template import RISKS, SIZES, regencies

        lang = "en" if request.query_params.get("lang") == "en" else "id"
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
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
            result = await self._run(form, self._checked)
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
            return HTMLResponse(html, status_code=exc.status)
        return HTMLResponse(self._fragment(result), status_code=200)

    async def download(self, request):
        from starlette.responses import JSONResponse, Response

        kind = request.path_params["kind"]
        if kind not in ("findings.xlsx", "annotated.xlsx"):
            return JSONResponse({"error": "no such download", "status": 404}, status_code=404)
        try:
            form = await self._form(request, csrf=True)
            result = await self._run(form, self._checked)
            data = await self._run(form, lambda f: self._file(kind, result))
        except Refused as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        name = {"findings.xlsx": "temuan.xlsx", "annotated.xlsx": "hasil-pemeriksaan.xlsx"}[kind]
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                        "X-Filename": name})

    async def api_check(self, request):
        from starlette.responses import JSONResponse, Response

        site = request.headers.get("sec-fetch-site")
        if site and site not in ("same-origin", "none"):
            return JSONResponse({"error": "cross-site requests are refused", "status": 403}, status_code=403)
        try:
            form = await self._form(request, csrf=False)
            result = await self._run(form, self._checked)
        except Refused as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        from compliance.outputs import report as contract

        return Response(contract.dumps(result["document"]), media_type="application/json")

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
            if csrf:
                token = request.headers.get("x-csrf-token") or form.get("csrf_token") or ""
                cookie = request.cookies.get(CSRF_COOKIE) or ""
                if not cookie or not hmac.compare_digest(str(token), cookie):
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
        problem = UnusableInput(code, **data)
        return Refused(status, problem.words(lang, self.rule_set.texts, with_file=False),
                       problem=problem.to_dict(lang, self.rule_set.texts))

    async def _run(self, form: dict, fn):
        from starlette.concurrency import run_in_threadpool

        async with self.slots:
            try:
                return await asyncio.wait_for(run_in_threadpool(fn, form), self.settings.timeout_s)
            except asyncio.TimeoutError:
                lang = "en" if form["values"].get("lang") == "en" else "id"
                problem = UnusableInput("check-timeout", seconds=f"{self.settings.timeout_s:.0f}")
                raise Refused(503, problem.words(lang, self.rule_set.texts, with_file=False),
                              problem=problem.to_dict(lang, self.rule_set.texts)) from None

    def _checked(self, form: dict) -> dict:
        """Read and check the upload (in a worker thread) through check_file, as the command line does."""
        from compliance.ingest.files import sniff
        from compliance.outputs import report as contract
        from compliance.pipeline import Needs, check_file

        v = form["values"]
        lang = "en" if v.get("lang") == "en" else "id"
        texts = self.rule_set.texts
        try:
            sniff(form["data"], form["name"])
        except UnusableInput as exc:
            raise Refused(400 if not form["data"] else 415, exc.words(lang, texts, with_file=False),
                          problem=exc.to_dict(lang, texts)) from None
        try:
            options, columns_map = _options(v, form["map"], self.rule_set)
            result = check_file(form["data"], form["name"], self.rule_set, company=options, columns=columns_map,
                                engine=self.settings.engine)
        except UnusableInput as exc:
            raise Refused(400, exc.words(lang, texts, with_file=False), problem=exc.to_dict(lang, texts)) from None
        if isinstance(result, Needs):
            message = (texts[lang]["web"]["needs_period"] if result.needs == ["period"]
                       else result.problem.words(lang, texts, with_file=False))
            raise Refused(400, message, needs=result.needs, problem=result.problem.to_dict(lang, texts))
        return {"payroll": result.payroll, "report": result.report, "result": result,
                "document": contract.to_dict(result.report, self.rule_set, lang),
                "lang": lang, "data": form["data"], "chosen": [f"{k}={v}" for k, v in columns_map.items()]}

    def _file(self, kind: str, result: dict) -> bytes:
        if kind == "annotated.xlsx":
            from compliance.outputs.annotate import annotate
            from compliance.pipeline import sheet_grid

            return annotate(result["data"], result["payroll"], result["document"], self.rule_set, result["lang"],
                            sheet_grid(result["result"]))
        from compliance.outputs.check import render_outputs

        return render_outputs(result["report"], self.rule_set, result["lang"])[0]["findings.xlsx"]

    def _fragment(self, result: dict) -> str:
        d, payroll, lang = result["document"], result["payroll"], result["lang"]
        rules = {r.id: r for r in self.rule_set.rules}
        families = []
        for code, spec in self.rule_set.families.items():
            rows = [{**f, "title": d["rules"][f["rule_id"]]["title"][lang],
                     "todo": (rules[f["rule_id"]].todo or {}).get(lang, "") if f["rule_id"] in rules else ""}
                    for f in d["findings"] if f["family"] == code]
            if rows:
                families.append({"code": code, "title": spec["title"][lang], "findings": rows,
                                 "owed": sum(f["monthly_shortfall_idr"] or 0 for f in rows
                                             if f["responsible"]["party"] == "employer")})
        fields = [(name, spec.label_in(lang), spec.description[lang])
                  for name, spec in self.rule_set.columns.columns.items() if name not in payroll.columns]
        labels = {name: spec.label_in(lang) for name, spec in self.rule_set.columns.columns.items()}
        from compliance.outputs.report import rupiah

        return self.env.get_template("web/result.html.j2").render(
            T=self.rule_set.texts[lang]["web"], S=self.rule_set.texts[lang]["summary"], d=d, source=d["source"], columns=payroll.columns,
            unmapped=payroll.unmapped_columns, fields=fields, labels=labels, families=families,
            issues=d["data_issues"],
            assumed=[self.rule_set.texts[lang]["letter"]["assumed"].get(a, a) for a in d["company"].get("assumed", [])],
            money=rupiah, chosen=result["chosen"])


def _options(values: dict, pairs: list[str], rule_set):
    """Company details and column names from the form, read as the command line reads them."""
    from compliance.ingest.company import company_from_values, parse_column_map

    company = company_from_values({"name": values.get("company_name"), "npp": values.get("npp"),
                                   "regency": values.get("regency"), "size": values.get("company_size"),
                                   "jkk_risk": values.get("jkk_risk"), "period": values.get("period")},
                                  rule_set.columns.values, "form")
    return company, parse_column_map(pairs)


def _upload_name(filename: str | None) -> str:
    """Only the name's last part, made safe: it tells the file's type, never where to write."""
    from compliance.outputs.files import safe_name

    return safe_name(Path(str(filename or "upload").replace("\\", "/")).name, 120)
