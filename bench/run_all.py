"""Run every benchmark in bench/ and print its table (ratios against a baseline of the same run)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Import each bench_*.py and call its main()."""
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {path.stem} " + "=" * (60 - len(path.stem)), flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        module.main()


if __name__ == "__main__":
    main()
