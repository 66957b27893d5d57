#!/usr/bin/python3
"""Golden test: runs `sipas analyze` on every set of tests/golden/sets/ (as its `args` say, inside
its folder) with the default logit intervals, `--ci wald` and `--ci beta`, and compares every
number with the figures R's survey package gave (tests/golden/README.md tolerances):

  estimate: relative 1e-9; se: relative 1e-7 or absolute 1e-9; df, n: equal;
  ci_low, ci_high and vs_baseline: relative 1e-6.

Keys absent from the expected file are ignored (deff, n_eff, flag). Prints the largest relative
error seen per field. The sets are part of the repository: a missing folder, a set without its
`args` or one of its three expected files is a failure, never a skip.
Usage: compare.py SIPAS GOLDEN_DIR. Exit 0 pass, 1 fail."""
import json
import os
import shlex
import subprocess
import sys

REL = {"estimate": 1e-9, "se": 1e-7, "ci_low": 1e-6, "ci_high": 1e-6,
       "diff": 1e-6, "t": 1e-6, "p_value": 1e-6}
ABS = {"se": 1e-9}
EXACT_INT = {"df", "n"}
VARIANTS = ("expected.json", "expected-wald.json", "expected-beta.json")


def sipas_command(sipas):
    if os.environ.get("SIPAS_VALGRIND"):
        return ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite", sipas]
    return [sipas]


class Totals:
    """What several comparisons found: a line per comparison, the largest errors at the end."""

    def __init__(self):
        self.max_rel = {}
        self.checked = 0

    def add(self, what, c):
        """Prints one comparison's outcome and keeps its figures; returns True when it passed."""
        for k, v in c.max_rel.items():
            self.max_rel[k] = max(self.max_rel.get(k, 0.0), v)
        self.checked += c.checked
        if c.failures:
            print(f"FAIL {what} ({len(c.failures)} differences):")
            for line in c.failures[:20]:
                print("   ", line)
            return False
        print(f"ok   {what}: {c.checked} numbers")
        return True

    def report(self, ok):
        """Prints the largest relative error per field; returns the exit status for ok."""
        print(f"{self.checked} numbers compared; largest relative error per field:")
        for k in sorted(self.max_rel):
            print(f"  {k:10s} {self.max_rel[k]:.3g}")
        return 0 if ok else 1


class Comparer:
    def __init__(self):
        self.failures = []
        self.max_rel = {}
        self.checked = 0

    def fail(self, path, msg):
        self.failures.append(f"{path}: {msg}")

    def number(self, path, key, got, want):
        self.checked += 1
        if key in EXACT_INT:
            if got != want:
                self.fail(path, f"{got!r}, expected {want!r}")
            return
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            self.fail(path, f"{got!r}, expected the number {want!r}")
            return
        err = abs(got - want)
        rel = err / abs(want) if want != 0 else (0.0 if err == 0 else float("inf"))
        field = key if key in REL else "other"
        if want != 0 or err != 0:
            self.max_rel[field] = max(self.max_rel.get(field, 0.0), rel if want != 0 else err)
        tol = REL.get(key, 1e-12)
        if rel <= tol or err <= ABS.get(key, 0.0):
            return
        self.fail(path, f"{got!r}, expected {want!r} (relative error {rel:.3g}, tolerance {tol:g})")

    def value(self, path, key, got, want):
        if isinstance(want, dict):
            if not isinstance(got, dict):
                self.fail(path, f"{got!r}, expected an object")
                return
            for k, v in want.items():
                if k not in got:
                    self.fail(f"{path}.{k}", "missing")
                    continue
                self.value(f"{path}.{k}", k, got[k], v)
        elif isinstance(want, list):
            if not isinstance(got, list) or len(got) != len(want):
                self.fail(path, f"a list of {len(got) if isinstance(got, list) else '?'}, expected {len(want)}")
                return
            for i, (g, w) in enumerate(zip(got, want)):
                label = w.get("index") if isinstance(w, dict) and "index" in w else None
                self.value(f"{path}[{i}{'=' + label if label else ''}]", key, g, w)
        elif want is None:
            if got is not None:
                self.fail(path, f"{got!r}, expected null")
        elif isinstance(want, bool) or isinstance(want, str):
            if got != want:
                self.fail(path, f"{got!r}, expected {want!r}")
        elif isinstance(want, (int, float)):
            self.number(path, key, got, want)
        else:
            self.fail(path, f"unexpected expected value {want!r}")


def run(sipas, folder, extra):
    with open(os.path.join(folder, "args"), encoding="utf-8") as f:
        args = shlex.split(f.read())
    cmd = sipas_command(sipas) + ["analyze"] + extra + args
    p = subprocess.run(cmd, cwd=folder, capture_output=True, timeout=600)
    return cmd, p


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    sipas, golden = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not os.path.isdir(golden):
        print(f"FAIL no golden folder at {golden}")
        return 1
    sets = sorted(d for d in os.listdir(golden) if os.path.isdir(os.path.join(golden, d)))
    if not sets:
        print(f"FAIL no golden sets in {golden}")
        return 1
    total = Totals()
    ok = True
    for name in sets:
        for needed in ("args",) + VARIANTS:
            if not os.path.isfile(os.path.join(golden, name, needed)):
                print(f"FAIL {name}: no {needed}")
                ok = False
    for name in sets:
        folder = os.path.join(golden, name)
        if not os.path.isfile(os.path.join(folder, "args")):
            continue
        for variant, extra in zip(VARIANTS, ([], ["--ci", "wald"], ["--ci", "beta"])):
            path = os.path.join(folder, variant)
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8") as f:
                want = json.load(f)
            cmd, p = run(sipas, folder, extra)
            if p.returncode != 0:
                print(f"FAIL {name}/{variant}: exit {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
                ok = False
                continue
            try:
                got = json.loads(p.stdout)
            except ValueError as e:
                print(f"FAIL {name}/{variant}: output is not JSON: {e}")
                ok = False
                continue
            c = Comparer()
            c.value("$", "", got, want)
            ok = total.add(f"{name}/{variant}", c) and ok
    return total.report(ok)


if __name__ == "__main__":
    sys.exit(main())
