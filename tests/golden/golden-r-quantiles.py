#!/usr/bin/python3
"""The quantile grid is R's: reruns tests/golden/make-quantiles.R into a temporary folder and
checks that R gives the committed tests/golden/quantiles/beta.csv and t.csv (the same points,
each quantile to a relative 1e-15). Skips (77) without Rscript, and under `meson test --setup
valgrind` (it runs no sipas). Usage: golden-r-quantiles.py QUANTILES_DIR. Exit 0, 1 or 77."""
import csv
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rcheck import rscript_or_skip  # noqa: E402
import tempfile


def rows(path):
    with open(path, newline="") as f:
        return [[float(v) for v in r] for r in list(csv.reader(f))[1:]]


def main():
    rscript = rscript_or_skip(__doc__, ())
    committed = os.path.abspath(sys.argv[1])
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-quantiles.R")
    with tempfile.TemporaryDirectory(prefix="sipas-golden-q-") as tmp:
        p = subprocess.run([rscript, script, tmp], capture_output=True, timeout=600)
        if p.returncode != 0:
            print(f"FAIL make-quantiles.R exit {p.returncode}:\n{p.stderr.decode(errors='replace')}")
            return 1
        for name in ("beta.csv", "t.csv"):
            got, want = rows(os.path.join(tmp, name)), rows(os.path.join(committed, name))
            if len(got) != len(want):
                print(f"FAIL {name}: {len(got)} rows from R, {len(want)} committed")
                return 1
            for i, (g, w) in enumerate(zip(got, want)):
                if g[:-1] != w[:-1] or not math.isclose(g[-1], w[-1], rel_tol=1e-15, abs_tol=1e-300):
                    print(f"FAIL {name} row {i + 2}: R gives {g}, committed {w}")
                    return 1
            print(f"ok: {name}, {len(want)} quantiles as R gives them")
    return 0


sys.exit(main())
