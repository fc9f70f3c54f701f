"""Reader speed: open-to-first-paint, section switching and memory on big briefs.

Each figure is printed beside the naive path measured in the same run: Python-Markdown
over the whole brief, then QTextBrowser.setHtml of all of it. Every measurement runs in
its own child process so peak RSS is that path's alone.

    .venv/bin/python benchmarks/bench_reader.py [--sizes 1,10] [--switches 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WORDS = [
    "alliance", "budget", "ceasefire", "delegation", "embargo", "framework", "governance",
    "humanitarian", "infrastructure", "jurisdiction", "ministerial", "negotiation", "oversight",
    "partnership", "quota", "readiness", "sanctions", "treaty", "unilateral", "verification",
    "withdrawal", "corridor", "reserve", "capacity", "deterrence", "logistics", "procurement",
    "resilience", "mandate", "assessment",
]


def make_brief(path: Path, megabytes: float, seed: int = 7) -> None:
    """A Markdown brief of about `megabytes` MB: H2 sections of 2-20 KB, some H3s."""
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    out = ["---\ntitle: Generated Benchmark Brief\nid: bench\n---\n\n"
           "# Generated Benchmark Brief\n\n"]
    size, n = 0, 0
    while size < target:
        n += 1
        level = "###" if n % 5 == 0 else "##"
        section = [f"{level} Section {n}: {rng.choice(WORDS).title()} {rng.choice(WORDS)}\n\n"]
        body = 0
        limit = rng.randint(2_000, 20_000)
        while body < limit:
            words = [rng.choice(WORDS) for _ in range(rng.randint(40, 120))]
            words[0] = words[0].title()
            if rng.random() < 0.2:
                words[3] = f"**{words[3]}**"
            para = " ".join(words) + ".\n\n"
            if rng.random() < 0.05:
                para = "| Item | Value |\n|---|---|\n| " + words[1] + " | 12 |\n\n"
            section.append(para)
            body += len(para)
        chunk = "".join(section)
        out.append(chunk)
        size += len(chunk)
    path.write_text("".join(out), encoding="utf-8")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_sectioned(path: Path, switches: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from briefreader.parse import load_brief
    from briefreader.ui.reader import ReaderView

    app = QApplication([])
    view = ReaderView()
    view.resize(1000, 760)
    view.show()
    app.processEvents()
    base_rss = _rss_mb()
    t0 = time.perf_counter()
    brief = load_brief(path)
    t_parse = time.perf_counter() - t0
    view.show_section(brief, brief.sections[0])
    view.viewport().repaint()
    first_paint = time.perf_counter() - t0

    small = [s for s in brief.sections if len(s.source) <= 20_000]

    def show(section) -> float:
        t = time.perf_counter()
        view.show_section(brief, section)
        view.viewport().repaint()
        return time.perf_counter() - t

    def pause(seconds: float) -> None:
        """A reader reading: the event loop runs, so prefetching can happen."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)

    # Reading in order (next section), as the window does it: show, then prefetch.
    sequential = []
    for i in range(1, min(switches, len(brief.sections) - 3)):
        section = brief.sections[i]
        if len(section.source) > 20_000:
            continue
        sequential.append(show(section))
        view.prefetch(brief, list(brief.sections[i + 1 : i + 3]))
        pause(0.15)
    # Jumping anywhere (a click in the navigator) after that reading, before the whole
    # brief is formatted in the background: only the sections read or prefetched so
    # far are ready, a quarter of the targets at most.
    rng = random.Random(1)
    jumps = [show(rng.choice(small)) for _ in range(switches)]
    # The same after a minute of reading, once every section has been formatted.
    view.warm(brief)
    while view.warm_thread is not None and view.warm_thread.is_alive():
        pause(0.5)
    rng = random.Random(2)
    later = [show(rng.choice(small)) for _ in range(switches)]
    # Coming back to a section seen a moment ago.
    recent = [brief.sections[i] for i in range(1, 30)]
    revisits = [show(s) for s in recent]
    all_switches = sequential + jumps
    return {
        "parse_ms": t_parse * 1000,
        "first_paint_ms": first_paint * 1000,
        "switch_p50_ms": statistics.median(all_switches) * 1000,
        "switch_p95_ms": _p95(all_switches) * 1000,
        "seq_p50_ms": statistics.median(sequential) * 1000,
        "seq_p95_ms": _p95(sequential) * 1000,
        "jump_p50_ms": statistics.median(jumps) * 1000,
        "jump_p95_ms": _p95(jumps) * 1000,
        "revisit_p50_ms": statistics.median(revisits) * 1000,
        "later_p50_ms": statistics.median(later) * 1000,
        "later_p95_ms": _p95(later) * 1000,
        "rss_mb": _rss_mb(),
        "base_rss_mb": base_rss,
        "sections": len(brief.sections),
    }


def child_naive(path: Path) -> dict:
    import markdown
    from PySide6.QtWidgets import QApplication, QTextBrowser

    app = QApplication([])
    view = QTextBrowser()
    view.resize(1000, 760)
    view.show()
    app.processEvents()
    t0 = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", "fenced_code", "footnotes"])
    t_md = time.perf_counter() - t0
    view.setHtml(html)
    view.viewport().repaint()
    first_paint = time.perf_counter() - t0
    # "Switching section" in one big document = scrolling to an anchor.
    rng = random.Random(1)
    bar = view.verticalScrollBar()
    times = []
    for _ in range(50):
        t = time.perf_counter()
        bar.setValue(rng.randint(0, bar.maximum()))
        view.viewport().repaint()
        times.append(time.perf_counter() - t)
    return {
        "markdown_ms": t_md * 1000,
        "first_paint_ms": first_paint * 1000,
        "switch_p50_ms": statistics.median(times) * 1000,
        "switch_p95_ms": _p95(times) * 1000,
        "rss_mb": _rss_mb(),
    }


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def run_child(mode: str, path: Path, switches: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), "--switches", str(switches)],
        capture_output=True, text=True, timeout=900,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10", help="brief sizes in MB, comma-separated")
    parser.add_argument("--switches", type=int, default=200)
    parser.add_argument("--no-naive", action="store_true", help="skip the whole-document path")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path = args.child
        fn = child_sectioned if mode == "sectioned" else child_naive
        result = fn(Path(path), args.switches) if mode == "sectioned" else fn(Path(path))
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory() as tmp:
        for mb in (float(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"brief-{mb:g}mb.md"
            make_brief(path, mb)
            real_mb = path.stat().st_size / 1024 / 1024
            ours = run_child("sectioned", path, args.switches)
            naive = None if args.no_naive else run_child("naive", path, args.switches)
            print(f"\n== {real_mb:.1f} MB brief, {ours['sections']} sections ==")
            print(f"{'figure':<28}{'briefreader':>14}{'naive':>14}{'ratio':>10}{'target':>12}")
            rows = [
                ("open → first paint (ms)", ours["first_paint_ms"],
                 naive and naive["first_paint_ms"], "≤ 300" if mb >= 10 else ""),
                ("  of which parse (ms)", ours["parse_ms"], naive and naive["markdown_ms"], ""),
                ("next section p50 (ms)", ours["seq_p50_ms"],
                 naive and naive["switch_p50_ms"], "≤ 16"),
                ("next section p95 (ms)", ours["seq_p95_ms"],
                 naive and naive["switch_p95_ms"], "≤ 50"),
                ("jump anywhere p50 (ms)", ours["jump_p50_ms"],
                 naive and naive["switch_p50_ms"], "≤ 16"),
                ("jump anywhere p95 (ms)", ours["jump_p95_ms"],
                 naive and naive["switch_p95_ms"], "≤ 50"),
                ("jump, brief formatted p50", ours["later_p50_ms"],
                 naive and naive["switch_p50_ms"], "≤ 16"),
                ("jump, brief formatted p95", ours["later_p95_ms"],
                 naive and naive["switch_p95_ms"], "≤ 50"),
                ("revisit p50 (ms)", ours["revisit_p50_ms"], None, ""),
                ("peak RSS (MB)", ours["rss_mb"], naive and naive["rss_mb"],
                 "≤ 250" if mb >= 10 else ""),
            ]
            for name, a, b, target in rows:
                ratio = f"{b / a:.1f}×" if b and a else ""
                bs = f"{b:.1f}" if b else "—"
                print(f"{name:<28}{a:>14.1f}{bs:>14}{ratio:>10}{target:>12}")


if __name__ == "__main__":
    main()
