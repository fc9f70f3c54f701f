"""Python's cyclic garbage collector, run on the GUI thread only.

Left to itself, the collector runs in whichever thread happens to allocate when its
thresholds are crossed: in this program, often a worker formatting Markdown. A cycle
it then frees may hold a Qt object of the GUI thread (a closed window's document, a
widget's Python side), whose destructor then runs on the worker: Qt cannot stop that
object's timers from there, leaves them registered, and the next one to fire calls into
freed memory (a crash seen after a change of theme). So automatic collection is turned
off and the GUI thread collects, by the same thresholds, a few times a second.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts.
INTERVAL_MS = 200


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> int:
        """Collect the generations whose counts are past their thresholds, as the
        automatic collector would; returns how many objects were freed."""
        counts = gc.get_count()
        freed = 0
        for generation in range(3):
            if counts[generation] <= self._thresholds[generation]:
                break
            freed = gc.collect(generation)
        return freed


_installed: list[GuiThreadCollector] = []


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """Turn automatic collection off and collect from ``app``'s thread instead (once
    for the application)."""
    if not _installed:
        _installed.append(GuiThreadCollector(app))
    return _installed[0]
