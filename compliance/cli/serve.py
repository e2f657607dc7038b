"""serve and template: the employer's self-check page and the blank payroll template."""
from __future__ import annotations

from pathlib import Path

import click

from compliance.cli.options import echo, engine_option, lang_option, load_rules, rules_option, say, \
    templates_option, write_bytes, xlsx_out


@click.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the blank payroll workbook (.xlsx).")
@rules_option
@lang_option
def template(out, rules_dir, lang):
    """Write a blank payroll workbook that prevents the common errors.

    \b
    A `Perusahaan` sheet with dropdowns (Skala Usaha, Tingkat Risiko JKK,
    Kabupaten/Kota), and the payroll sheet with NIK and KPJ kept as text and
    checked for 16 and 11 digits, dropdowns for worker type and programs,
    date and rupiah formats, an example row (CONTOH, skipped when read) and a
    note on each header. Filled in by hand, it reads with no assumption.

    \b
    Examples:
      compliance template --out gaji-template.xlsx
      compliance template --out payroll-template.xlsx --lang en
    """
    from compliance.outputs.template import template_xlsx

    rule_set = load_rules(rules_dir)
    write_bytes(xlsx_out(out), template_xlsx(rule_set, lang))
    echo(say("wrote", paths=[str(out)]))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--max-upload-mb", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Largest upload accepted (413 above).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds a check may take; after, its worker is killed and replaced (503).")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None,
              help="Worker processes that check uploads, one check each at a time  [default: one for every two "
                   "cores, at least 1].")
@click.option("--queue", type=click.IntRange(min=0, max=32), default=8, show_default=True,
              help="Checks that may wait for a worker; beyond, 503 with Retry-After.")
@click.option("--worker-memory", "worker_memory_mb", type=click.FloatRange(min=512), default=1536,
              show_default=True, help="Each worker's memory limit in MB (address space); a file that needs more "
                                      "is refused (422) and the worker replaced.")
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN",
              help="Another site whose pages may call /api/check (e.g. https://intranet.example; * for any); "
                   "repeatable. Without it, a request from another origin is refused (403).")
@click.option("--root-path", default="", help="The path prefix when served behind a reverse proxy (e.g. /cek).")
@engine_option("pandas")
@rules_option
@templates_option
@lang_option
def serve(host, port, max_upload_mb, timeout_s, workers, queue, worker_memory_mb, allow_origins, root_path, engine,
          rules_dir, templates_dir, lang):
    """Serve the employer's self-check page and the API for scripts.

    \b
    The page (Indonesian, with an English switch): drop a payroll, see how it
    was read and fix an unrecognised column, fill in missing company details,
    see the findings by family with what to do and the contributions owed,
    and download findings.xlsx, the marked payroll and the blank template.
    Nothing is stored beyond the request. One server process (uvicorn) hands
    each check to a pool of --workers processes, each limited to
    --worker-memory MB and stopped after --timeout; behind a branch's reverse
    proxy give --root-path.

    \b
    API: POST /api/check, a multipart form with the payroll in `file` and
    optional `period`, `company_size`, `jkk_risk`, `regency`, `npp`,
    `company_name`, `lang` and `map` (FIELD=Header, repeatable); the report
    contract's JSON (200), or a JSON error with its code (400, 403, 413, 415,
    422, 503).

    \b
    Examples:
      compliance serve
      compliance serve --host 0.0.0.0 --port 8080 --root-path /cek
      curl -F file=@gaji.xlsx -F period=2025-06 http://127.0.0.1:8000/api/check
    """
    import uvicorn

    from compliance.web import WebSettings, create_app
    from compliance.web.app import default_workers

    app = create_app(WebSettings(max_upload_mb=max_upload_mb, timeout_s=timeout_s,
                                 workers=workers or default_workers(), queue=queue, worker_memory_mb=worker_memory_mb,
                                 allow_origins=tuple(allow_origins), engine=engine, rules=rules_dir,
                                 templates=templates_dir))
    echo(say("serving", url=f"http://{host}:{port}{root_path}/"))
    uvicorn.run(app, host=host, port=port, root_path=root_path, log_level="warning", server_header=False,
                timeout_keep_alive=5)
