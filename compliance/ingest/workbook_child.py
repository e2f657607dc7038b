"""Run as a script (never imported by the package): read one workbook's cells with python-calamine
in a process of its own, under an address-space limit, and write them to standard output.

    python -P workbook_child.py LIMIT_BYTES READ_LIMIT PER_CELL PER_VALUE PER_TEXT  < workbook bytes

It imports nothing but python-calamine, so it starts in a tenth of a second. Whatever the file
asks of the reader, the limit holds: an allocation over it ends this process (the parent says the
file needs more memory than a file may use), never the parent. Before a sheet's cells become
Python values its grid is checked against READ_LIMIT with the same memory model as the xlsx
pre-scan (compliance/ingest/extent.py), and the values themselves after, so what reaches the
parent is bounded too.

Output: a pickle of ("ok", [(name, visible, rows)]), ("refused", code, data) or
("error", kind, message) with kind "password" or "damaged".
"""
import io
import pickle
import resource
import sys


def main() -> None:
    limit, read_limit, per_cell, per_value, per_text = (int(a) for a in sys.argv[1:6])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    data = sys.stdin.buffer.read()
    import python_calamine as pc

    out = sys.stdout.buffer
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        del data
        visible = {m.name: "Visible" in str(m.visible) for m in wb.sheets_metadata}
        sheets, used = [], 0
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            end = sheet.end
            rows, columns = (end[0] + 1, end[1] + 1) if end is not None else (0, 0)
            used += per_cell * rows * columns
            if used > read_limit:
                pickle.dump(("refused", "sheet-too-large", {"sheet": name, "rows": rows, "columns": columns,
                                                             "mb": -(-used // 2 ** 20),
                                                             "limit_mb": read_limit // 2 ** 20}), out)
                return
            grid = sheet.to_python(skip_empty_area=False) if end is not None else []
            del sheet
            for row in grid:
                for value in row:
                    if value != "":
                        used += per_value + (per_text * len(value) if isinstance(value, str) else 0)
            if used > read_limit:
                pickle.dump(("refused", "workbook-too-large", {"mb": -(-used // 2 ** 20),
                                                                "limit_mb": read_limit // 2 ** 20}), out)
                return
            sheets.append((name, visible.get(name, True), grid))
        pickle.dump(("ok", sheets), out, protocol=pickle.HIGHEST_PROTOCOL)
    except pc.PasswordError:
        pickle.dump(("error", "password", ""), out)
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        pickle.dump(("error", "damaged", " ".join(str(exc).split())[:160] or type(exc).__name__), out)
    except MemoryError:
        sys.exit(3)
    except BaseException as exc:               # pyo3's PanicException: a reader bug, not a crash
        if type(exc).__name__ != "PanicException":
            raise
        pickle.dump(("error", "damaged", " ".join(str(exc).split())[:160] or "panic"), out)


if __name__ == "__main__":
    main()
