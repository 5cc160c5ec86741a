"""The ``ptv`` command: ``report``, ``calibrate``, ``data list|info|update|template``, ``params``.

Errors are one line (``error: ...``) naming what is wrong and what is allowed,
never a traceback, and values longer than a few hundred characters are cut in
messages. Exit codes (also in ``ptv --help`` and the README):

===  ========================================================================
0    success
1    a notebook failed (the report is written; the failures are marked in it)
2    bad parameters or input data (nothing ran)
3    a data source was unavailable
4    the environment: a folder or file cannot be read or written (``--out`` is
     a file or read-only, a read-only cache that must be rebuilt, a missing
     raw file), another ``ptv report`` is writing the same report, or the
     notebooks are missing
130  interrupted (Ctrl-C; 128 + the signal for SIGTERM/SIGHUP): every kernel
     is stopped and the previous report is left as it was
===  ========================================================================
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ptvlib.basics.exceptions import PtvError, SourceUnavailable, WorkspaceError

__all__ = ["EXIT_CODES", "main"]

#: Exit codes of ``ptv`` (see the module docstring).
EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "a notebook failed (the report is written; the failures are marked in it)",
    2: "bad parameters or input data (nothing ran)",
    3: "a data source was unavailable",
    4: "the environment: a folder or file cannot be read or written, another ptv report is "
    "writing the same report, or the notebooks are missing",
    130: "interrupted by Ctrl-C (128 + signal for SIGTERM/SIGHUP); the previous report is kept",
}

#: Longest parameter value accepted (characters); longer values are an error.
MAX_VALUE_CHARS = 4096
#: Longest line of a message before it is cut (characters).
MAX_MESSAGE_LINE = 400


def _print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns))


def _data_list(args: argparse.Namespace) -> int:
    from ptvlib.data.loading import datasets

    rows = datasets().to_dict("records")
    _print_table(rows, ["name", "live_source", "description"])
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
    if ds.live_source:
        print(f"live source: {ds.live_source} (refresh: ptv data update {ds.name})")
    print(f"embedded snapshot: {ds.as_of}")
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

    from ptvlib.data import catalog, live
    from ptvlib.data.loading import SsbFallbackWarning, load

    ds = catalog.get(args.name)
    if not live.has_live(ds.name):
        allowed = ", ".join(d for d in catalog.DATASETS if live.has_live(d))
        print(
            f"error: dataset {ds.name!r} has no live source (it stays embedded); allowed: {allowed}",
            file=sys.stderr,
        )
        return 2

    def progress(done: int, total: int, message: str) -> None:
        print(f"  [{done}/{total}] {message}", file=sys.stderr, flush=True)

    print(f"updating {ds.name} from {ds.live_source} ...", file=sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load(ds.name, source="ssb", progress=progress)
    fallback = [w for w in caught if issubclass(w.category, SsbFallbackWarning)]
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    print(f"{ds.name}: {len(frame):,} rows")
    return 3 if fallback else 0


def _data_template(args: argparse.Namespace) -> int:
    from ptvlib.data.own_template import write_template

    for path in write_template(args.kind, args.out):
        print(path)
    what = "load_own(path)" if args.kind == "own" else "load_funding(path)"
    print(
        f"fill in the 'data' sheet or the CSV and read it with {what}; the sheet 'les_meg' "
        "describes every column",
        file=sys.stderr,
    )
    return 0


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


def _shorten(text: str, limit: int = 60) -> str:
    """*text* cut to about *limit* characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 10]}…[{len(text) - limit + 10} more characters]"


def _check_length(name: str, value: Any, origin: str) -> None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str) and len(item) > MAX_VALUE_CHARS:
            from ptvlib.basics.exceptions import ParameterError

            raise ParameterError(
                f"{name} ({origin}) is {len(item):,} characters long ({_shorten(item)!r}); "
                f"allowed: at most {MAX_VALUE_CHARS:,}"
            )


def _yaml_loader() -> type:
    """YAML's safe loader, except that a number with a leading zero stays text.

    YAML 1.1 reads ``0301`` as the octal number 193 and ``030115`` as 12365:
    region codes (Oslo ``0301``, bydel ``030115``) must stay as written.
    """
    import re

    import yaml

    class ParamsLoader(yaml.SafeLoader):
        pass

    int_tag = "tag:yaml.org,2002:int"
    ParamsLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != int_tag]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    ParamsLoader.add_implicit_resolver(
        int_tag, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
    )
    return ParamsLoader


def _read_params_file(file: str) -> dict[str, Any]:
    import yaml

    from ptvlib.basics.exceptions import ParameterError

    path = Path(file).expanduser()
    shown = _shorten(str(path), 200)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ParameterError(f"params file {shown!r} does not exist") from None
    except IsADirectoryError:
        raise ParameterError(f"params file {shown!r} is a folder; allowed: a YAML file") from None
    except OSError as err:
        raise WorkspaceError(f"params file {shown!r} cannot be read ({err.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ParameterError(
            f"params file {shown!r} is not UTF-8 text (byte 0x{raw[err.start]:02x} at position "
            f"{err.start}); allowed: a YAML file saved as UTF-8"
        ) from None
    try:
        loaded = yaml.load(text, Loader=_yaml_loader()) or {}  # a SafeLoader subclass
    except yaml.YAMLError as err:
        first = _shorten(str(err).splitlines()[0] if str(err) else "", 200)
        raise ParameterError(f"params file {shown!r} is not valid YAML: {first}") from None
    if not isinstance(loaded, dict):
        raise ParameterError(f"params file {shown!r} must hold a mapping of name: value")
    for name, value in loaded.items():
        _check_length(str(name), value, f"in {shown}")
    return {str(k): v for k, v in loaded.items()}


def _collect_params(args: argparse.Namespace) -> dict[str, Any]:
    """Parameter values from ``-f`` (lowest), ``-p`` and ``--year``/``--lang``.

    A name given twice on the command line is an error naming both values; a
    ``-p`` value overrides the same name in the ``-f`` file.
    """
    from ptvlib.assessment.params import parse_cli_value
    from ptvlib.basics.exceptions import ParameterError

    values: dict[str, Any] = {}
    if getattr(args, "file", None):
        values.update(_read_params_file(args.file))
    given: dict[str, str] = {}
    for name, text in getattr(args, "param", None) or []:
        if name in given:
            raise ParameterError(
                f"parameter {_shorten(name)!r} is given twice: -p {_shorten(name)} "
                f"{_shorten(given[name])!r} and -p {_shorten(name)} {_shorten(text)!r}; "
                "allowed: once"
            )
        _check_length(name, text, f"-p {_shorten(name)}")
        given[name] = text
        values[name] = parse_cli_value(name, text)
    for option in ("year", "lang"):
        value = getattr(args, option, None)
        if value is None or value == "":
            continue
        if option in given:
            raise ParameterError(
                f"parameter {option!r} is given twice: --{option} {value} and -p {option} "
                f"{_shorten(given[option])!r}; allowed: once"
            )
        values[option] = value
    return values


def _report(args: argparse.Namespace) -> int:
    from ptvlib.assessment.params import validate_params
    from ptvlib.basics.exceptions import ParameterError
    from ptvlib.report.output import check_writable_folder
    from ptvlib.report.runner import notebooks, run_report

    # Cheap checks first: a bad option fails in a fraction of a second.
    if args.timeout <= 0:
        raise ParameterError(f"--timeout {args.timeout} is not allowed; allowed: seconds > 0")
    found = notebooks(args.notebook or None)
    if args.jobs < 1:
        raise ParameterError(f"--jobs {args.jobs} is not allowed; allowed: 1 … {len(found)}")
    check_writable_folder(Path(args.out), "--out")
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
            print(
                _shorten(f"FAILED {f.notebook}: cell {f.cell}: {f.error}", MAX_MESSAGE_LINE),
                file=sys.stderr,
            )
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
        _error(f"PDF not written: {err}")
        return 1
    write_index(params, out_dir, result.results)
    print(f"pdf: {pdf}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    """``ptv calibrate``: the verdict pipeline on every untreated pool municipality."""
    import json

    from ptvlib.assessment.calibration import calibrate
    from ptvlib.assessment.params import validate_params
    from ptvlib.basics import numbers as fmt
    from ptvlib.basics.io import atomic_write_text

    params = validate_params(_collect_params(args))
    cal = calibrate(params, groups=args.group or None)
    lang = params.lang
    rows = [
        {
            "design": r.label,
            "group": r.group,
            "n": int(r.n),
            "signals": int(r.signals),
            "share": fmt.percent(r.share, lang),
        }
        for r in cal.table(lang).itertuples()
        if r.group == "all" or args.per_group
    ]
    _print_table(rows, ["design", "group", "n", "signals", "share"])
    print()
    print(cal.sentence(lang))
    signals = cal.verdicts.loc[cal.verdicts["code"] != "inconclusive"]
    if len(signals) and args.signals:
        print()
        _print_table(
            [
                {
                    "unit": f"{r.unit_name} ({r.unit})",
                    "group": r.group,
                    "code": r.code,
                    "primary": r.primary,
                    "p_adjusted": fmt.number(r.p_adjusted, lang, decimals=3),
                }
                for r in signals.itertuples()
            ],
            ["unit", "group", "code", "primary", "p_adjusted"],
        )
    if args.json:
        payload = cal.sidecar(lang)
        atomic_write_text(Path(args.json), json.dumps(payload, ensure_ascii=False, indent=2))
        print(f"calibration: {args.json}")
    if args.require is not None and cal.share > args.require:
        print(
            f"FAILED: {cal.share:.2%} non-inconclusive verdicts exceed {args.require:.2%}",
            file=sys.stderr,
        )
        return 1
    return 0


def _add_calibrate(sub: Any) -> None:
    cal = sub.add_parser(
        "calibrate",
        help="run the verdict rule on every untreated municipality and count false signals",
    )
    cal.add_argument("--year", type=int, default=None, help="assessment year")
    cal.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a parameter (as for ptv report)",
    )
    cal.add_argument("-f", "--file", help="YAML file of parameters")
    cal.add_argument("--lang", choices=["nb", "en"], default=None, help="language (default nb)")
    cal.add_argument(
        "--group", action="append", help="offence group (repeatable; default offence_groups)"
    )
    cal.add_argument("--per-group", action="store_true", help="one row per design and group")
    cal.add_argument("--signals", action="store_true", help="list every non-inconclusive verdict")
    cal.add_argument("--json", help="write the calibration record (the report's sidecar key) here")
    cal.add_argument(
        "--require",
        type=float,
        default=None,
        help="exit 1 when the share of non-inconclusive verdicts exceeds this (e.g. 0.05)",
    )
    cal.set_defaults(func=_calibrate)


def _parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES.items())
    parser = argparse.ArgumentParser(
        prog="ptv",
        description="ptv-analyse: does targeted police funding in Oslo go with less crime?",
        epilog=f"exit codes:\n{codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser(
        "report",
        help="run every notebook for one year and write an HTML report",
        description="Run every notebook for one year and publish <out>/<year>/index.html. "
        "Relative paths (own_data, -f, PTV_*_DIR) are taken from the current folder.",
        epilog=f"exit codes:\n{codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    rep.add_argument("-f", "--file", help="YAML file of parameters (-p overrides it)")
    rep.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="notebooks run in parallel: 1 … number of notebooks, capped at the CPU cores "
        "(default 2)",
    )
    rep.add_argument(
        "--lang", choices=["nb", "en"], default=None, help="report language (default nb)"
    )
    rep.add_argument("--out", default="reports", help="output folder (default reports/)")
    rep.add_argument(
        "--notebook", action="append", help="run only this notebook (stem); repeatable"
    )
    rep.add_argument(
        "--timeout", type=int, default=1200, help="seconds per cell, > 0 (default 1200)"
    )
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    rep.add_argument(
        "--pdf",
        action="store_true",
        help="also write report.pdf (index and pages, A4) with headless Chromium",
    )
    rep.set_defaults(func=_report)
    _add_calibrate(sub)

    data = sub.add_parser("data", help="list, describe or update datasets")
    dsub = data.add_subparsers(dest="data_command", required=True)
    dl = dsub.add_parser("list", help="every dataset with a one-line description")
    dl.set_defaults(func=_data_list)
    di = dsub.add_parser("info", help="schema, coverage, caveats and raw files of a dataset")
    di.add_argument("name")
    di.set_defaults(func=_data_info)
    du = dsub.add_parser(
        "update", help="refresh a dataset from its live source (SSB, Oslo kommune's statbank)"
    )
    du.add_argument("name")
    du.set_defaults(func=_data_update)
    dt = dsub.add_parser(
        "template", help="write a documented example file (CSV and .xlsx) to fill in"
    )
    dt.add_argument("kind", choices=["own", "funding"], help="own data or own funding table")
    dt.add_argument("--out", default=".", help="folder to write into (default: here)")
    dt.set_defaults(func=_data_template)

    par = sub.add_parser("params", help="list notebook parameters, or check values with --check")
    par.add_argument("--check", action="store_true", help="validate the given values and exit")
    par.add_argument("--year", type=int, default=None)
    par.add_argument("--lang", choices=["nb", "en"], default=None)
    par.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"))
    par.add_argument("-f", "--file")
    par.set_defaults(func=_params)
    return parser


def _version() -> str:
    """``ptv --version``: the package version."""
    from ptvlib.basics.version import __version__

    return f"ptv-analyse {__version__}"


def _error(message: str) -> None:
    """Print ``error: <message>``, each line cut to :data:`MAX_MESSAGE_LINE` characters."""
    lines = [_shorten(line, MAX_MESSAGE_LINE) for line in str(message).splitlines() or [""]]
    print("error: " + "\n".join(lines), file=sys.stderr)


def _os_error(err: OSError) -> str:
    from ptvlib.basics import config

    name = err.filename if err.filename is not None else ""
    what = f"{err.strerror or type(err).__name__}: {name}" if name else str(err)
    try:
        raw = config.raw_dir()
        if name and Path(name).resolve().is_relative_to(raw):
            return f"raw data file missing or unreadable ({what}); PTV_DATA_DIR={raw.parent}"
    except (OSError, ValueError):
        pass
    return f"cannot use a file or folder ({what})"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ptv`` command; returns the exit code (see :data:`EXIT_CODES`)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "report" and args.year is None and not _has_year(args):
            from ptvlib.assessment.params import data_years

            args.year = data_years()[1]
        return int(args.func(args))
    except KeyboardInterrupt as err:
        signum = int(getattr(err, "signum", 2))
        print(
            "interrupted: every kernel was stopped; no report was written and the previous "
            "report (if any) is unchanged",
            file=sys.stderr,
        )
        return 128 + signum
    except SourceUnavailable as err:
        _error(str(err))
        return 3
    except WorkspaceError as err:
        _error(str(err))
        return 4
    except PtvError as err:
        _error(str(err))
        return 2
    except OSError as err:
        _error(_os_error(err))
        return 4


def _has_year(args: argparse.Namespace) -> bool:
    return any(name == "year" for name, _ in (args.param or [])) or bool(args.file)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
