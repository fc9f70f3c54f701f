"""Notes store speed, beside the raw sqlite3 floor measured in the same run.

    .venv/bin/python benchmarks/bench_store.py [--saves N] [--notes N] [--dir DIR]

Figures: one note save (median, p99) through Store.add_highlight against a plain
``BEGIN IMMEDIATE; INSERT; COMMIT`` with the same pragmas (WAL, synchronous=FULL),
and loading every note of a brief with 10,000 notes against a raw SELECT.
Targets: save median <= 2 ms, p99 <= 20 ms; load <= 50 ms.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from briefreader.store import (
    CACHE_KIB,
    BriefRecord,
    Highlight,
    SectionRecord,
    Store,
    new_id,
)

KEY = "bench-brief"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(action: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        action()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def make_highlight(i: int) -> Highlight:
    return Highlight(
        id=new_id(),
        brief_key=KEY,
        section_id=f"s{i % 40}",
        section_heading=f"Section {i % 40}",
        section_ordinal=i % 40,
        exact="the harvest outlook improved markedly",
        prefix="Across the region, analysts say ",
        suffix=" after late rains in the south.",
        start=(i * 37) % 5000,
        end=(i * 37) % 5000 + 37,
        color="yellow",
        note=f"Note {i}: check against the ministry's figures.",
        tags=("harvest", "outlook"),
        author="bench",
        current_section=f"s{i % 40}",
        current_start=(i * 37) % 5000,
        current_end=(i * 37) % 5000 + 37,
    )


def raw_saver(folder: Path) -> tuple[sqlite3.Connection, Callable[[], None]]:
    """The floor: a plain INSERT + COMMIT with the store's pragmas."""
    conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute(
        "CREATE TABLE notes (id TEXT PRIMARY KEY, brief INTEGER, section TEXT, exact TEXT,"
        " prefix TEXT, suffix TEXT, start INTEGER, stop INTEGER, note TEXT, created TEXT)"
    )
    h = make_highlight(0)

    def save() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), 1, h.section_id, h.exact, h.prefix, h.suffix, h.start, h.end, h.note,
             "2026-01-01T00:00:00.000Z"),
        )  # fmt: skip
        conn.execute("COMMIT")

    return conn, save


def raw_loader(path: Path) -> tuple[sqlite3.Connection, Callable[[], object]]:
    """The floor: the same rows as plain tuples, with the store's page cache."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    sql = (
        "SELECT h.* FROM highlights h JOIN briefs b ON b.id = h.brief_id WHERE b.key = ?"
        " AND h.deleted_at IS NULL ORDER BY h.section_ordinal, h.start, h.created"
    )
    return conn, lambda: conn.execute(sql, (KEY,)).fetchall()


def alternating(a: Callable[[], object], b: Callable[[], object], runs: int):
    """Time a and b turn about, so a busy machine slows both alike."""
    ta, tb = [], []
    for _ in range(runs):
        ta += timed(a, 1)
        tb += timed(b, 1)
    return ta, tb


def brief_record() -> BriefRecord:
    sections = tuple(SectionRecord(f"s{i}", f"Section {i}", 2, i, "h") for i in range(40))
    return BriefRecord(KEY, "Benchmark brief", None, "hash", sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--dir", help="folder for the databases (default: a temp folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        store = Store(folder / "notes.sqlite3", backup_interval=None)
        store.save_brief(brief_record())
        counter = iter(range(10**9))
        raw_conn, raw_save = raw_saver(folder)
        saves, floor = alternating(
            lambda: store.add_highlight(make_highlight(next(counter))), raw_save, args.saves
        )
        raw_conn.close()

        # Fill up to --notes in one transaction; single saves are measured above.
        remaining = max(0, args.notes - args.saves)
        store.add_highlights([make_highlight(args.saves + i) for i in range(remaining)])
        count = len(store.highlights(KEY))
        raw_conn, raw_load = raw_loader(folder / "notes.sqlite3")
        loads, raw_loads = alternating(lambda: store.highlights(KEY), raw_load, 15)
        raw_conn.close()
        open_times = []
        for _ in range(5):
            t0 = time.perf_counter()
            Store(folder / "notes.sqlite3", backup_interval=None).close()
            open_times.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        backup = store.backup()
        backup_ms = (time.perf_counter() - t0) * 1000
        store.close()

    def row(name: str, samples: list[float], floor_samples: list[float] | None = None) -> None:
        med, p99 = statistics.median(samples), percentile(samples, 99)
        line = f"{name:<34} median {med:7.3f} ms   p99 {p99:7.3f} ms"
        if floor_samples:
            fmed, fp99 = statistics.median(floor_samples), percentile(floor_samples, 99)
            line += f"   raw sqlite3 {fmed:7.3f} / {fp99:7.3f} ms   ×{med / fmed:4.1f}"
        print(line)

    print(f"sqlite {sqlite3.sqlite_version}, WAL, synchronous=FULL; {args.saves} saves")
    row("note save (Store.add_highlight)", saves, floor)
    row(f"load all {count} notes of a brief", loads, raw_loads)
    row("open (checks, no backup)", open_times)
    print(f"{'verified backup (VACUUM INTO)':<34} {backup_ms:7.1f} ms  ({backup.name})")
    print("targets: save median <= 2 ms, p99 <= 20 ms; load of 10,000 notes <= 50 ms")


if __name__ == "__main__":
    main()
