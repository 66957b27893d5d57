"""What the R reruns of tests/golden share: finding Rscript with the packages a script needs, or
skipping (exit 77) without them and under `meson test --setup valgrind` (they run no sipas)."""
import os
import shutil
import subprocess
import sys


def rscript_or_skip(usage, packages=()):
    """Returns the path of Rscript, or exits: 2 on bad usage, 77 when R or a package is missing."""
    if len(sys.argv) != 2:
        print(usage)
        sys.exit(2)
    if os.environ.get("SIPAS_VALGRIND"):
        print("skipped: the R check runs no sipas, so not again under valgrind")
        sys.exit(77)
    rscript = shutil.which("Rscript")
    probe = "; ".join(f"library({p})" for p in packages) or "invisible(0)"
    if rscript is None or subprocess.run([rscript, "-e", probe], capture_output=True, timeout=300).returncode != 0:
        need = " ".join(["r-base-core"] + [f"r-cran-{p}" for p in packages])
        print(f"skipped: no Rscript with {', '.join(packages) or 'base R'} (Debian: apt-get install {need})")
        sys.exit(77)
    return rscript
