"""Re-anchoring quality and speed on generated briefs edited at three levels of damage.

Run from the repository root:  .venv/bin/python benchmarks/bench_anchor.py [--briefs N]

For each level it prints how many highlights were found in the right place (correct),
put somewhere else without a warning (wrong), left for the user to choose (ambiguous) or
orphaned; the share of highlights whose text was deleted outright that became orphans
(del->orph, target 97 %); the share of those with under half of their text left (the
rest rewritten or deleted) that became orphans (rewr->orph: for these an orphan and a
place on what is left are both right, see tests/perturb.py ``judge``); and the
time per note (one ``reanchor`` call on a brief whose shared index is built; building it
is timed apart, per brief; ``reanchor`` skips ``reanchor_many``'s second look for the
notes of renamed sections). Quality is scored on one ``reanchor_many`` call per brief, as
the notes service re-anchors. A naive baseline (exact quote via ``str.find``, own section
first, else the first occurrence anywhere) is scored by the same judge in the same run.
Then 1,000 notes on one brief in a cold ``reanchor_many`` call (median and best of 3).
Last, notes whose text moved within a ~9 MB brief, beside one ``str.find`` per quote.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from briefreader import anchor  # noqa: E402
from briefreader.anchor import (  # noqa: E402
    Anchoring,
    SectionText,
    Selector,
    reanchor,
    reanchor_many,
)
from perturb import Tally, make_case  # noqa: E402

# Seeds apart from those the tests use (and those looked at while tuning).
SEED_BASE = 10_000


def naive(sel: Selector, section_id: str, sections: list[SectionText]) -> Anchoring:
    for s in sorted(sections, key=lambda s: s.id != section_id):
        pos = s.text.find(sel.exact)
        if pos >= 0:
            status = "anchored" if s.id == section_id else "moved"
            return Anchoring(status, s.id, pos, pos + len(sel.exact))
    return Anchoring("orphaned", None, None, None)


def run_level(level: int, briefs: int, per_brief: int) -> tuple[Tally, Tally, list[float], float]:
    ours, base = Tally(), Tally()
    per_note: list[float] = []
    build = 0.0
    for seed in range(briefs):
        case = make_case(SEED_BASE + seed, level, per_brief)
        secs = tuple(case.after)
        anchor._index.cache_clear()
        t0 = time.perf_counter()
        anchor._index(secs).grams  # noqa: B018 - the shared index, timed on its own
        build += time.perf_counter() - t0
        for h in case.highlights:
            t0 = time.perf_counter()
            reanchor(h.selector, h.section_id, h.ordinal, secs)
            per_note.append(time.perf_counter() - t0)
        # Scored as the notes service places them: all of a brief's notes at once (which
        # lets the notes of a renamed section find it by their neighbours).
        items = [(h.selector, h.section_id, h.ordinal) for h in case.highlights]
        results = reanchor_many(items, secs)
        for h, truth, result in zip(case.highlights, case.truths, results, strict=True):
            ours.add(case.brief, h, truth, result)
            base.add(case.brief, h, truth, naive(h.selector, h.section_id, case.after))
    return ours, base, per_note, build / briefs


def many_notes(
    level: int, notes: int, sections: int, runs: int = 3
) -> tuple[list[float], int, str]:
    """Wall times of cold ``reanchor_many`` calls (index included) on one brief."""
    case = make_case(SEED_BASE + 99, level, notes, sections, truth=False)
    items = [(h.selector, h.section_id, h.ordinal) for h in case.highlights]
    times = []
    for _ in range(runs):
        anchor._index.cache_clear()
        t0 = time.perf_counter()
        results = reanchor_many(items, case.after)
        times.append(time.perf_counter() - t0)
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    mix = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    return times, sum(len(s.text) for s in case.after), mix


def long_brief(notes: int = 1_000, sections: int = 2_000) -> str:
    """Notes whose text moved to another section of a ~9 MB brief (each is found by
    its exact quote), beside ``str.find`` for each quote in the joined text alone."""
    rng = random.Random(SEED_BASE)
    vocab = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9)))
             for _ in range(20_000)]  # fmt: skip
    texts = [" ".join(" ".join(rng.choices(vocab, k=80)) + "." for _ in range(9))
             for _ in range(sections)]  # fmt: skip
    items = []
    for _ in range(notes):
        i = rng.randrange(sections)
        start = rng.randrange(len(texts[i]) - 200)
        sel = anchor.make_selector(texts[i], start, start + rng.randint(40, 120))
        items.append((sel, f"s{i}", i))
    # Every section's text now stands under the next section's heading.
    after = [SectionText(f"s{i}", f"S {i}", i, texts[(i - 1) % sections]) for i in range(sections)]
    joined = "\n".join(texts)
    t0 = time.perf_counter()
    for sel, _, _ in items:
        joined.find(sel.exact)
    floor = time.perf_counter() - t0
    anchor._index.cache_clear()
    t0 = time.perf_counter()
    results = reanchor_many(items, after)
    took = time.perf_counter() - t0
    anchor._index.cache_clear()
    moved = sum(r.status == "moved" for r in results)
    return (
        f"{notes} notes moved in a brief of {len(joined):,} characters: {took * 1000:.0f} ms"
        f" ({moved} moved; {took / notes * 1000:.2f} ms a note); one str.find per quote:"
        f" {floor * 1000:.0f} ms (x {took / floor:.2f})"
    )


def python_loop_ms() -> float:
    """Best of 3: how fast plain Python runs here now (a shared machine varies)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def row(name: str, t: Tally, extra: str = "") -> str:
    deleted = f"{t.pct(t.deleted_orphaned, t.deleted):10.1f}" if t.deleted else "         -"
    rewritten = (
        f"{t.pct(t.rewritten_orphaned, t.rewritten):10.1f}" if t.rewritten else "         -"
    )
    return (
        f"{name:<14}{t.total:>6} {t.pct(t.correct):8.2f} {t.pct(t.wrong):7.2f} "
        f"{t.pct(t.ambiguous):7.2f} {t.pct(t.orphaned):7.2f}  {deleted} {rewritten}{extra}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--briefs", type=int, default=60, help="briefs per level (default 60)")
    ap.add_argument("--per-brief", type=int, default=40, help="highlights per brief")
    args = ap.parse_args(argv)

    print(
        f"{'level':<14}{'notes':>6} {'correct%':>8} {'wrong%':>7} {'ambig%':>7} {'orphan%':>7}"
        f"  {'del->orph%':>10} {'rewr->orph%':>10}   p50 ms  p95 ms  index ms/brief"
    )
    for level in (1, 2, 3):
        ours, base, per_note, build = run_level(level, args.briefs, args.per_brief)
        ms = sorted(x * 1000 for x in per_note)
        p50 = statistics.median(ms)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        print(row(f"{level} anchor", ours, f"  {p50:7.3f} {p95:7.3f}  {build * 1000:8.1f}"))
        print(row(f"{level} str.find", base))
    print()
    print(f"this machine now: a bare 3-million-step Python loop takes {python_loop_ms():.0f} ms"
          " (times below scale with it)")
    for level, notes, secs in ((2, 1000, 40), (3, 1000, 40), (2, 1000, 150)):
        times, size, mix = many_notes(level, notes, secs)
        print(
            f"{notes:,} notes, level {level}, one brief of {size:,} characters: "
            f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms"
            f" of {len(times)} (reanchor_many, cold index)  [{mix}]"
        )
    print(long_brief())


if __name__ == "__main__":
    main()
