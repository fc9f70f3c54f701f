"""The cyclic garbage collector runs on the GUI thread only (ui/collector.py)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from briefreader.ui.collector import collect_on_gui_thread


class _Cycle:
    def __init__(self, freed: list[str]) -> None:
        self.me = self
        self.freed = freed

    def __del__(self) -> None:
        self.freed.append(threading.current_thread().name)


def test_cycles_made_garbage_on_a_worker_are_freed_on_the_gui_thread(qtbot):
    collector = collect_on_gui_thread(QApplication.instance())
    assert not gc.isenabled()
    freed: list[str] = []
    kept: list[list[int]] = []

    def work() -> None:
        _Cycle(freed)
        # Enough new objects to set off the automatic collector, were it on.
        kept.extend([n] for n in range(5_000))

    worker = threading.Thread(target=work, name="formatting")
    worker.start()
    worker.join()
    assert freed == []  # not collected where it became garbage
    qtbot.waitUntil(lambda: bool(freed), timeout=5000)  # the GUI thread's turn
    assert freed == [threading.main_thread().name]
    assert collector.parent() is QApplication.instance() and isinstance(collector, QObject)
