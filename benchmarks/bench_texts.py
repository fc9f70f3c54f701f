"""Section texts of a 10 MB brief, which notes, Review, find and the library index need:
rendered cold, beside the same texts kept from an earlier session (``TextCache``), and
a reissue that changed one section. Each figure is a fresh process, as a new session is.

    .venv/bin/python benchmarks/bench_texts.py [--megabytes 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reader import make_brief  # noqa: E402

CHILD = """
import sys, time
from briefreader.notes import NotesService
from briefreader.parse import load_brief
from briefreader.store import Store
brief = load_brief(sys.argv[1])
with Store(sys.argv[2], backup_interval=None) as store:
    t0 = time.perf_counter()
    NotesService(store, author="bench").section_texts(brief)
    print(time.perf_counter() - t0)
"""


def timed(brief: Path, database: Path) -> float:
    done = subprocess.run([sys.executable, "-c", CHILD, str(brief), str(database)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--megabytes", type=float, default=10.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        brief, database = folder / "big.md", folder / "data" / "notes.sqlite3"
        database.parent.mkdir()
        make_brief(brief, args.megabytes)
        cold = timed(brief, database)
        kept = timed(brief, database)
        text = brief.read_text(encoding="utf-8")
        middle = text.index("\n\n", len(text) // 2)
        brief.write_text(text[:middle] + "\n\nA paragraph the reissue added." + text[middle:],
                         encoding="utf-8")
        reissue = timed(brief, database)
    print(f"section texts of a {args.megabytes:g} MB brief, each in a new process:")
    print(f"  rendered (no texts kept)          {cold:7.2f} s")
    print(f"  kept from an earlier session      {kept:7.2f} s   x {kept / cold:.3f}")
    print(f"  a reissue with one section edited {reissue:7.2f} s   x {reissue / cold:.3f}")


if __name__ == "__main__":
    main()
