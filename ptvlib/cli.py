"""The ``ptv`` command: ``report``, ``data list|info|update``, ``params``.

Exit codes: 0 success, 1 a notebook failed, 2 bad parameters or input (nothing
ran), 3 a data source was unavailable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ptvlib.basics.exceptions import PtvError, SourceUnavailable

__all__ = ["main"]


def _print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns))


def _data_list(args: argparse.Namespace) -> int:
    from ptvlib.data.loading import datasets

    rows = datasets().to_dict("records")
    _print_table(rows, ["name", "ssb_table", "description"])
    return 0


def _data_info(args: argparse.Namespace) -> int:
    from ptvlib.basics import config
    from ptvlib.basics.io import sha256_file
    from ptvlib.data import catalog
    from ptvlib.data.loading import load

    ds = catalog.get(args.name)
    frame = load(args.name)
    print(f"{ds.name}: {ds.description}")
    print(f"rows: {len(frame):,}   columns: {len(frame.columns)}")
    if "year" in frame:
        print(f"years: {frame['year'].min()} … {frame['year'].max()}")
    if ds.ssb_table:
        print(f"Statistics Norway table: {ds.ssb_table} (refresh: ptv data update {ds.name})")
    print(f"licence: {ds.licence}")
    print(f"caveats: {ds.caveats}")
    print("\nschema:")
    _print_table(
        ds.schema.describe().to_dict("records"), ["column", "type", "nullable", "description"]
    )
    print("\nraw files (data/raw):")
    for rel in catalog.files_of(ds.name):
        print(f"  {rel}  sha256 {sha256_file(config.raw_dir() / rel)[:12]}")
    return 0


def _data_update(args: argparse.Namespace) -> int:
    import warnings

    from ptvlib.data import catalog
    from ptvlib.data.loading import SsbFallbackWarning, load

    ds = catalog.get(args.name)
    if not ds.ssb_table:
        live = ", ".join(d.name for d in catalog.DATASETS.values() if d.ssb_table)
        print(
            f"error: dataset {ds.name!r} has no Statistics Norway table; allowed: {live}",
            file=sys.stderr,
        )
        return 2

    def progress(done: int, total: int, message: str) -> None:
        print(f"  [{done}/{total}] {message}", file=sys.stderr, flush=True)

    print(f"updating {ds.name} from Statistics Norway table {ds.ssb_table} ...", file=sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load(ds.name, source="ssb", progress=progress)
    fallback = [w for w in caught if issubclass(w.category, SsbFallbackWarning)]
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    print(f"{ds.name}: {len(frame):,} rows")
    return 3 if fallback else 0


def _params(args: argparse.Namespace) -> int:
    from ptvlib.assessment.params import Params, validate_params

    if args.check:
        values = _collect_params(args)
        p = validate_params(values)
        print("parameters are valid:")
        for k, v in p.as_dict().items():
            print(f"  {k} = {v!r}")
        return 0
    from ptvlib.report.runner import notebook_parameters

    rows = notebook_parameters()
    defaults = Params().as_dict()
    for r in rows:
        r.setdefault("default", defaults.get(r["name"], ""))
    _print_table(rows, ["name", "type", "default", "help", "notebooks"])
    return 0


def _collect_params(args: argparse.Namespace) -> dict[str, Any]:
    from ptvlib.assessment.params import parse_cli_value

    values: dict[str, Any] = {}
    if getattr(args, "file", None):
        import yaml

        from ptvlib.basics.exceptions import ParameterError

        path = Path(args.file)
        if not path.exists():
            raise ParameterError(f"params file {str(path)!r} does not exist")
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            raise ParameterError(f"params file {str(path)!r} is not valid YAML: {err}") from None
        if not isinstance(loaded, dict):
            raise ParameterError(f"params file {str(path)!r} must hold a mapping of name: value")
        values.update(loaded)
    for name, text in getattr(args, "param", None) or []:
        values[name] = parse_cli_value(name, text)
    if getattr(args, "year", None) is not None:
        values["year"] = args.year
    if getattr(args, "lang", None):
        values["lang"] = args.lang
    return values


def _report(args: argparse.Namespace) -> int:
    from ptvlib.assessment.params import validate_params
    from ptvlib.report.runner import run_report

    values = _collect_params(args)
    params = validate_params(values)  # before any kernel starts
    result = run_report(
        params,
        out=Path(args.out),
        jobs=args.jobs,
        notebooks=args.notebook or None,
        timeout=args.timeout,
        progress=not args.quiet,
    )
    print(f"report: {result.index}")
    if args.pdf and _write_pdf(params, result) != 0:
        return 1
    if result.failed:
        for f in result.failed:
            print(f"FAILED {f.notebook}: cell {f.cell}: {f.error}", file=sys.stderr)
        return 1
    return 0


def _write_pdf(params: Any, result: Any) -> int:
    """``--pdf``: print the report to ``report.pdf`` and link it from the index; 1 on failure."""
    from ptvlib.report.html import write_index
    from ptvlib.report.pdf import PdfError, write_pdf

    out_dir = result.index.parent
    try:
        pdf = write_pdf(out_dir)
    except PdfError as err:
        print(f"error: PDF not written: {err}", file=sys.stderr)
        return 1
    write_index(params, out_dir, result.results)
    print(f"pdf: {pdf}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ptv",
        description="ptv-analyse: does targeted police funding in Oslo go with less crime?",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("report", help="run every notebook for one year and write an HTML report")
    rep.add_argument(
        "--year", type=int, default=None, help="assessment year (default: latest in the data)"
    )
    rep.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter",
    )
    rep.add_argument("-f", "--file", help="YAML file of parameters")
    rep.add_argument("--jobs", type=int, default=2, help="notebooks run in parallel (default 2)")
    rep.add_argument(
        "--lang", choices=["nb", "en"], default=None, help="report language (default nb)"
    )
    rep.add_argument("--out", default="reports", help="output folder (default reports/)")
    rep.add_argument(
        "--notebook", action="append", help="run only this notebook (stem); repeatable"
    )
    rep.add_argument("--timeout", type=int, default=1200, help="seconds per cell (default 1200)")
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    rep.add_argument(
        "--pdf",
        action="store_true",
        help="also write report.pdf (index and pages, A4) with headless Chromium",
    )
    rep.set_defaults(func=_report)

    data = sub.add_parser("data", help="list, describe or update datasets")
    dsub = data.add_subparsers(dest="data_command", required=True)
    dl = dsub.add_parser("list", help="every dataset with a one-line description")
    dl.set_defaults(func=_data_list)
    di = dsub.add_parser("info", help="schema, coverage, caveats and raw files of a dataset")
    di.add_argument("name")
    di.set_defaults(func=_data_info)
    du = dsub.add_parser("update", help="refresh a dataset from Statistics Norway's API")
    du.add_argument("name")
    du.set_defaults(func=_data_update)

    par = sub.add_parser("params", help="list notebook parameters, or check values with --check")
    par.add_argument("--check", action="store_true", help="validate the given values and exit")
    par.add_argument("--year", type=int, default=None)
    par.add_argument("--lang", choices=["nb", "en"], default=None)
    par.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"))
    par.add_argument("-f", "--file")
    par.set_defaults(func=_params)
    return parser


def _version() -> str:
    """``ptv --version``: the package version and where it runs from."""
    from ptvlib.basics.version import __version__

    return f"ptv-analyse {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ptv`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "report" and args.year is None and not _has_year(args):
            from ptvlib.assessment.params import data_years

            args.year = data_years()[1]
        return int(args.func(args))
    except SourceUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except PtvError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _has_year(args: argparse.Namespace) -> bool:
    return any(name == "year" for name, _ in (args.param or [])) or bool(args.file)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
