#!/usr/bin/python3
"""The compare golden figures are R's: reruns tests/golden/make-golden-compare.R on
tests/golden/compare into a temporary file and checks that it gives the committed expected.json
(numbers to a relative 1e-12, all else exactly). Skips (77) without Rscript or the R packages
survey and jsonlite, and under `meson test --setup valgrind` (it runs no sipas).
Usage: golden-r-compare.py CASE_DIR. Exit 0 pass, 1 fail, 77 skip."""
import json
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rcheck import rscript_or_skip  # noqa: E402
import tempfile


def same(a, b, path):
    if isinstance(a, dict):
        if set(a) != set(b):
            return f"{path}: keys differ"
        return next((e for k in a if (e := same(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: lengths differ"
        return next((e for i, (x, y) in enumerate(zip(a, b)) if (e := same(x, y, f"{path}[{i}]"))), None)
    if isinstance(a, float) or isinstance(b, float):
        return None if math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300) else f"{path}: {a!r} vs {b!r}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def main():
    rscript = rscript_or_skip(__doc__, ("survey", "jsonlite"))
    case = os.path.abspath(sys.argv[1])
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-golden-compare.R")
    with tempfile.TemporaryDirectory(prefix="sipas-golden-cmp-") as tmp:
        out = os.path.join(tmp, "expected.json")
        p = subprocess.run([rscript, script, case, out], capture_output=True, timeout=600)
        if p.returncode != 0:
            print(f"FAIL make-golden-compare.R exit {p.returncode}:\n{p.stderr.decode(errors='replace')}")
            return 1
        with open(out, encoding="utf-8") as f:
            got = json.load(f)
    with open(os.path.join(case, "expected.json"), encoding="utf-8") as f:
        want = json.load(f)
    err = same(got, want, "expected")
    if err:
        print(f"FAIL R no longer gives the committed figures: {err}")
        return 1
    print(f"ok: R gives the committed figures ({len(want['groups'])} groups)")
    return 0


sys.exit(main())
