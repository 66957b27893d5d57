#!/usr/bin/python3
"""Reruns make-sample-size.R (R, base stats) into a temporary file and compares it with the
committed cases.csv that tests/unit/test-sample-size.c checks the C code against. Skips (77)
without Rscript, and under `meson test --setup valgrind` (it runs no sipas).
Usage: recheck.py. Exit 0 pass, 1 fail, 77 skip."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    if os.environ.get("SIPAS_VALGRIND"):
        print("skipped: runs no sipas")
        return 77
    if not shutil.which("Rscript"):
        print("skipped: Rscript is not installed")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cases.csv")
        subprocess.run(["Rscript", os.path.join(HERE, "make-sample-size.R"), out], check=True, timeout=300)
        with open(out) as a, open(os.path.join(HERE, "cases.csv")) as b:
            got, want = a.read().splitlines(), b.read().splitlines()
    if got != want:
        diff = [f"{i + 1}: R {g!r} committed {w!r}" for i, (g, w) in enumerate(zip(got, want)) if g != w][:10]
        print(f"R's figures differ from the committed cases.csv ({len(got)} vs {len(want)} lines):\n" + "\n".join(diff))
        return 1
    print(f"{len(want) - 1} cases: R agrees with cases.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
