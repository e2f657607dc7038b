"""The command line. Thin: options -> library calls -> words in the user's language -> exit code.

One module per command group (check.py: validate, check, annotate, letter; audit.py; serve.py:
serve, template; cases.py: cases, register; rules.py). Exit codes: 0 compliant / every row
usable; 1 findings or rows that could not be checked; 2 unusable input or usage.
"""
from __future__ import annotations

import sys

import click

from compliance import __version__
from compliance.cli.options import EXIT_FINDINGS, EXIT_UNUSABLE, problem_line
from compliance.errors import Problem, RuleFileError, UnusableInput


class Group(click.Group):
    """Turns expected failures into one line and exit code 2, never a traceback. `--debug` is
    understood anywhere on the line (`compliance check gaji.xlsx --debug`)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """click's own usage errors ("No such option", the usage line) in the user's language
        (compliance/cli/usage.py); exit code 2 as click gives it."""
        from compliance.cli.usage import lang_of, worded

        args = list(sys.argv[1:] if args is None else args)
        with worded(lang_of(args)):
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)

    def parse_args(self, ctx, args):
        if "--debug" in args:
            args = [a for a in args if a != "--debug"]
            ctx.meta["debug"] = True
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Problem as exc:
            self._fail(ctx, exc)
        except RuleFileError as exc:          # for the people who write rule files: file and line
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_UNUSABLE)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:   # the reader stopped early (`| head`): no traceback, no error line
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_FINDINGS)
        except Exception as exc:  # noqa: BLE001 - last line of defence for untrusted input
            if ctx.meta.get("debug"):
                raise
            self._fail(ctx, UnusableInput("unexpected", kind=type(exc).__name__,
                                          reason=" ".join(str(exc).split())[:200]))

    @staticmethod
    def _fail(ctx, exc: Problem):
        from compliance.texts import bundled

        lang = ctx.meta.get("lang") or "id"
        rule_set = ctx.meta.get("rule_set")
        texts = rule_set.texts if rule_set is not None else bundled()
        click.echo(f"{texts[lang]['cli']['error']}: {problem_line(exc, lang, texts)}", err=True)
        ctx.exit(EXIT_UNUSABLE)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="compliance")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.pass_context
def main(ctx, debug):
    """Check employer payrolls against BPJS Ketenagakerjaan (Jamsostek) duties.

    \b
    Examples:
      compliance validate samples/pt-maju-bersama-juni-2025.xlsx
      compliance check samples/pt-maju-bersama-juni-2025.xlsx --lang en
      compliance check samples/pt-maju-bersama-juni-2025.xlsx --out hasil/ --letter
      compliance letter hasil/report.json --lang en
      compliance audit kiriman/ --registry peserta.csv --companies perusahaan.csv --out audit/
      compliance rules list
    """
    if debug:
        ctx.meta["debug"] = True


def _register() -> None:
    from compliance.cli import audit, cases, check, rules, serve

    for command in (check.validate, check.check, check.letter, audit.audit, check.annotate, serve.template,
                    serve.serve, cases.cases, cases.register_group, rules.rules):
        main.add_command(command)


_register()

if __name__ == "__main__":
    main()
