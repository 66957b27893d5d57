#!/usr/bin/python3
"""The golden figures are R's: reruns tests/golden/make-golden.R (R's survey package) on every
set of tests/golden/sets/ into a temporary folder and compares what it writes with the committed
expected.json, expected-wald.json and expected-beta.json, with the tolerances of the golden test
(compare.py; tests/golden/README.md). Skips (77) when Rscript or the R packages survey and
jsonlite are missing, and under `meson test --setup valgrind` (it runs no sipas).
Usage: golden-r.py SETS_DIR. Exit 0 pass, 1 fail, 77 skip."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import Comparer, Totals, VARIANTS  # noqa: E402


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    sets = os.path.abspath(sys.argv[1])
    if os.environ.get("SIPAS_VALGRIND"):
        # runs no sipas: nothing for `meson test --setup valgrind` to check here
        print("skipped: the R check runs no sipas, so not again under valgrind")
        return 77
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-golden.R")
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("skipped: no Rscript (Debian: apt-get install r-base-core r-cran-survey r-cran-jsonlite)")
        return 77
    probe = subprocess.run([rscript, "-e", "library(survey); library(jsonlite)"],
                           capture_output=True, timeout=300)
    if probe.returncode != 0:
        print("skipped: R lacks the survey or jsonlite package (Debian: r-cran-survey r-cran-jsonlite)")
        return 77
    if not os.path.isdir(sets):
        print(f"FAIL no golden folder at {sets}")
        return 1
    names = sorted(d for d in os.listdir(sets) if os.path.isfile(os.path.join(sets, d, "args")))
    if not names:
        print(f"FAIL no golden sets in {sets}")
        return 1
    with tempfile.TemporaryDirectory(prefix="sipas-golden-r-") as out:
        p = subprocess.run([rscript, script, sets, out], capture_output=True, timeout=1800)
        if p.returncode != 0:
            print(f"FAIL make-golden.R exit {p.returncode}:\n{p.stderr.decode(errors='replace')}")
            return 1
        total = Totals()
        ok = True
        for name in names:
            for variant in VARIANTS:
                committed = os.path.join(sets, name, variant)
                made = os.path.join(out, name, variant)
                if not os.path.isfile(made):
                    print(f"FAIL {name}/{variant}: R wrote no such file")
                    ok = False
                    continue
                with open(committed, encoding="utf-8") as f:
                    want = json.load(f)
                with open(made, encoding="utf-8") as f:
                    got = json.load(f)
                c = Comparer()
                c.value("$", "", got, want)
                # and nothing more than the committed file: the same keys both ways
                c.value("$", "", want, got)
                c.checked //= 2
                ok = total.add(f"{name}/{variant}", c) and ok
    return total.report(ok)


if __name__ == "__main__":
    sys.exit(main())
