"""Search speed: 100,000 notes, and a library of 200 briefs, beside the raw FTS5 floor.

    .venv/bin/python benchmarks/bench_search.py [--notes N] [--briefs N] [--dir DIR]

Figures: Store.search (ranking, snippets, joins, filters, match location) against a
bare ``SELECT rowid … MATCH ? ORDER BY rank LIMIT 50`` on the same index, for a mix
of rare words, common words, prefixes, phrases and filters. The bare query ranks
every match, so for a word in half the notes it is slower than Store.search, which
ranks the newest 2,000 matches only. Also the time to load
the notes (the index is kept by triggers), to index the library, and to index one
10 MB brief (the work the window does on a worker thread, with progress).
Targets: p95 <= 50 ms for both searches.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from briefreader.library import Library
from briefreader.search import SearchFilters, parse_query
from briefreader.store import BriefRecord, Highlight, SectionRecord, Store, new_id

SYLLABLES = ("ka", "lo", "mi", "ren", "tas", "vo", "pel", "dor", "ist", "ul", "ne", "bra")
COMMON = ("the", "grid", "port", "budget", "risk", "water", "policy", "minister", "report")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(action: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    action()
    return (time.perf_counter() - t0) * 1000


def vocabulary(rng: random.Random, n: int) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(n)}
    return sorted(words)


def sentence(rng: random.Random, vocab: list[str], length: int) -> str:
    # Zipf-like: a few words are everywhere, most are rare (the hard case for ranking).
    out = []
    for _ in range(length):
        if rng.random() < 0.3:
            out.append(rng.choice(COMMON))
        else:
            out.append(vocab[min(len(vocab) - 1, int(rng.paretovariate(1.2)) - 1)])
    return " ".join(out).capitalize() + "."


def queries(rng: random.Random, vocab: list[str]) -> list[tuple[str, SearchFilters]]:
    rare = [vocab[rng.randrange(200, len(vocab))] for _ in range(20)]
    mid = [vocab[rng.randrange(5, 60)] for _ in range(10)]
    out: list[tuple[str, SearchFilters]] = []
    out += [(w, SearchFilters()) for w in rare]
    out += [(w, SearchFilters()) for w in mid]
    out += [(w, SearchFilters()) for w in COMMON]
    out += [(w[:3] + "*", SearchFilters()) for w in mid]
    out += [(f'"{COMMON[i]} {mid[i]}"', SearchFilters()) for i in range(5)]
    out += [(f"{COMMON[i]} {rare[i]}", SearchFilters()) for i in range(5)]
    out += [(w, SearchFilters(color="red")) for w in COMMON[:4]]
    out += [(w, SearchFilters(tag="follow-up")) for w in COMMON[:4]]
    out += [(w, SearchFilters(author="ana")) for w in mid[:4]]
    return out


def report(title: str, store: Store, table: str, qs, scope: str) -> None:
    conn = store._connection  # the floor: FTS5 alone, on the same file
    ours, floor = [], []
    for _ in range(3):
        for text, filters in qs:
            q = parse_query(text)
            f = SearchFilters(scope=scope, color=filters.color, tag=filters.tag,
                              author=filters.author)
            ours.append(timed(lambda q=q, f=f: store.search(q, f)))
            floor.append(timed(lambda q=q: conn.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rank LIMIT 50",
                (q.match,)).fetchall()))  # fmt: skip
    p50, p95 = percentile(ours, 50), percentile(ours, 95)
    f50, f95 = percentile(floor, 50), percentile(floor, 95)
    verdict = "ok" if p95 <= 50 else "OVER TARGET"
    print(f"{title}: {len(ours)} searches")
    print(f"  Store.search   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   (target p95 <= 50: {verdict})")
    print(f"  raw FTS5       p50 {f50:6.2f} ms   p95 {f95:6.2f} ms   "
          f"(ranking every match; ratio p95 {p95 / max(f95, 1e-6):.1f}x)")


def bench_notes(folder: Path, n: int, rng: random.Random, vocab: list[str]) -> None:
    store = Store(folder / "notes.sqlite3", backup_interval=None)
    key = "bench-brief"
    store.save_brief(BriefRecord(key, "Bench brief", None, "h",
                                 tuple(SectionRecord(f"s{i}", f"Section {i}", 2, i, "x")
                                       for i in range(40))))
    colors = ("yellow", "green", "blue", "red", "purple")

    def batch(start: int, count: int) -> list[Highlight]:
        return [
            Highlight(id=new_id(), brief_key=key, section_id=f"s{i % 40}",
                      section_heading=f"Section {i % 40}", section_ordinal=i % 40,
                      exact=sentence(rng, vocab, 8), prefix="", suffix="", start=0, end=10,
                      color=colors[i % 5], note=sentence(rng, vocab, 14),
                      tags=("follow-up",) if i % 7 == 0 else (), author=("ana", "ben")[i % 2],
                      current_section=f"s{i % 40}", current_start=0, current_end=10)
            for i in range(start, start + count)
        ]  # fmt: skip

    t0 = time.perf_counter()
    for start in range(0, n, 5000):
        store.add_highlights(batch(start, min(5000, n - start)))
    load = time.perf_counter() - t0
    print(f"loaded {n:,} notes (index kept by triggers) in {load:.1f} s")
    report(f"search over {n:,} notes", store, "highlight_fts", queries(rng, vocab), "notes")
    store.close()


def bench_library(folder: Path, n: int, rng: random.Random, vocab: list[str]) -> None:
    briefs = folder / "library"
    briefs.mkdir()
    for b in range(n):
        parts = [f"# Brief {b}: {sentence(rng, vocab, 5)}\n"]
        for s in range(20):
            parts.append(f"## Section {s} {vocab[rng.randrange(len(vocab))]}\n")
            parts += [sentence(rng, vocab, 18) for _ in range(6)]
            parts.append("")
        (briefs / f"brief-{b:03}.md").write_text("\n".join(parts), encoding="utf-8")
    size = sum(p.stat().st_size for p in briefs.iterdir())
    store = Store(folder / "library.sqlite3", backup_interval=None)
    library = Library(store)
    library.add([briefs])
    t0 = time.perf_counter()
    library.refresh()
    took = time.perf_counter() - t0
    print(f"indexed {n} briefs ({size / 1e6:.1f} MB, {n * 20} sections) in {took:.1f} s")
    t0 = time.perf_counter()
    library.refresh()
    print(f"refresh with nothing changed: {(time.perf_counter() - t0) * 1000:.0f} ms")
    qs = [(t, f) for t, f in queries(rng, vocab) if not (f.color or f.tag or f.author)]
    report(f"search in a library of {n} briefs", store, "text_fts", qs, "text")
    store.close()


def bench_big_brief(folder: Path, megabytes: int, rng: random.Random, vocab: list[str]) -> None:
    """A brief of ``megabytes`` MB indexed through library.index_brief, as the window's
    worker thread does it; the GUI thread only receives the progress."""
    from briefreader.library import index_brief
    from briefreader.parse import load_brief

    parts, size, s = [], 0, 0
    while size < megabytes * 1_000_000:
        chunk = f"## Part {s}\n\n" + "\n\n".join(sentence(rng, vocab, 20) for _ in range(25))
        parts.append(chunk)
        size += len(chunk.encode())
        s += 1
    path = folder / "big.md"
    path.write_text("# A big brief\n\n" + "\n\n".join(parts), encoding="utf-8")
    store = Store(folder / "big.sqlite3", backup_interval=None)
    steps: list[float] = []
    t0 = time.perf_counter()
    brief = load_brief(path)
    parsed = time.perf_counter() - t0
    index_brief(store, brief, progress=lambda d, t: steps.append(time.perf_counter()))
    took = time.perf_counter() - t0
    gaps = [b - a for a, b in zip(steps, steps[1:], strict=False)]
    print(f"indexed a {size / 1e6:.1f} MB brief ({len(brief.sections)} sections) in {took:.1f} s"
          f" (parse {parsed:.1f} s); longest gap between progress reports"
          f" {max(gaps, default=0) * 1000:.0f} ms")
    q = parse_query(vocab[300])
    print(f"  a search in it: {timed(lambda: store.search(q)):.1f} ms")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--big", type=int, default=10, help="size in MB of the big brief")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the databases")
    args = parser.parse_args()
    rng = random.Random(20261127)
    vocab = vocabulary(rng, 6000)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        bench_notes(Path(tmp), args.notes, rng, vocab)
        print()
        bench_library(Path(tmp), args.briefs, rng, vocab)
        print()
        bench_big_brief(Path(tmp), args.big, rng, vocab)


if __name__ == "__main__":
    main()
