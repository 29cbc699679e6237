"""The reader on 16 real signed plans of 2025 (issue 31): `nhacviec plan draft` on every document of
../shared/real-plans/ (its plain text and its Word form), each with its province loaded into a fresh SQLite database,
scored by the set's own score.py against what a careful reader finds (EXPECTED.md).

The documents are read in place, never copied into this repository. The set's run.sh does the work (one document at a
time: the reader is CPU-bound); this prints its tables.

Run: .venv/bin/python bench/real_plans.py [OUTDIR]. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT.parent / "shared" / "real-plans"


def main() -> int:
    if not (SET / "run.sh").exists():
        print(f"the real plans are not here: {SET} (they sit beside the repository, in ../shared/real-plans/)")
        return 2
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="real-plans-"))
    env = {**os.environ, "NV": str(ROOT / ".venv" / "bin" / "nhacviec"), "PY": sys.executable}
    done = subprocess.run(["bash", str(SET / "run.sh"), str(out)], env=env, check=False)
    print(f"outputs: {out}")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
