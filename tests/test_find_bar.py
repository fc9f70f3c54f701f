"""The find bar: what it asks for, and finding across a brief's sections with it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from briefreader.search import FindSession
from briefreader.ui.find_bar import FindBar

SECTIONS = [
    ("_lead", "Grid operators prepare for winter."),
    ("demand", "Winter demand peaks in January; the grid copes."),
    ("supply", "No matches in this one."),
    ("outlook", "The grid is ready, said the operator."),
]


@pytest.fixture
def bar(qtbot):
    host = QWidget()
    layout = QVBoxLayout(host)
    widget = FindBar(host)
    layout.addWidget(widget)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    yield widget  # the host must live as long as the test


def test_the_find_field_shows_its_placeholder_whole_however_narrow(bar, qtbot):
    from placeholders import placeholder_fits

    host = bar.parentWidget()
    bar.open_bar()
    host.resize(host.minimumSizeHint().width(), host.height())  # as narrow as it goes
    qtbot.waitUntil(lambda: host.width() == host.minimumSizeHint().width())
    assert placeholder_fits(bar.edit), bar.edit.width()


class Harness:
    """What the window does with the bar: find, then report "n of m"."""

    def __init__(self, bar: FindBar) -> None:
        self.bar = bar
        self.session = FindSession(SECTIONS)
        self.shown: list[tuple[str, int]] = []
        bar.find_requested.connect(self.on_find)

    def on_find(self, text: str, forward: bool, case_sensitive: bool) -> None:
        if not text:
            self.session.clear()
            return
        match = self.session.find(text, forward, case_sensitive, origin=(0, 0))
        if match is not None:
            self.shown.append((match.section_id, match.start))
        self.bar.set_result(self.session.label, found=match is not None)


def test_hidden_until_opened_and_escape_closes(bar, qtbot):
    assert not bar.isVisible()
    bar.open_bar()
    assert bar.isVisible()
    assert bar.edit.hasFocus()
    with qtbot.waitSignal(bar.closed):
        qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_typing_asks_to_find_each_time(bar, qtbot):
    asked: list[tuple[str, bool, bool]] = []
    bar.find_requested.connect(lambda *args: asked.append(args))
    bar.open_bar()
    qtbot.keyClicks(bar.edit, "gri")
    assert asked == [("g", True, False), ("gr", True, False), ("gri", True, False)]


def test_enter_goes_forward_shift_enter_back(bar, qtbot):
    bar.open_bar("grid")
    with qtbot.waitSignal(bar.find_requested) as blocker:
        qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert blocker.args == ["grid", True, False]
    with qtbot.waitSignal(bar.find_requested) as blocker:
        qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args == ["grid", False, False]


def test_match_case_is_passed_on(bar, qtbot):
    bar.open_bar("Grid")
    with qtbot.waitSignal(bar.find_requested) as blocker:
        bar.case_box.setChecked(True)
    assert blocker.args == ["Grid", True, True]


def test_alt_c_toggles_match_case_from_the_field(bar, qtbot):
    bar.open_bar("Grid")
    assert bar.case_box.accessibleName() == "Match case" and not bar.case_sensitive
    with qtbot.waitSignal(bar.find_requested) as blocker:
        qtbot.keyClick(bar.edit, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert blocker.args == ["Grid", True, True] and bar.case_box.isChecked()


def test_the_field_and_buttons_stay_put_whatever_the_count_says(bar, qtbot):
    harness = Harness(bar)  # noqa: F841 - kept alive while the bar calls it
    bar.open_bar()
    qtbot.keyClicks(bar.edit, "grid")
    where = bar.close_button.x(), bar.case_box.x()
    qtbot.keyClicks(bar.edit, "zz")
    assert bar.count_label.text() == "No matches"
    assert (bar.close_button.x(), bar.case_box.x()) == where


def test_find_next_opens_a_closed_bar(bar, qtbot):
    bar.edit.setText("winter")
    with qtbot.waitSignal(bar.find_requested) as blocker:
        bar.find_next()
    assert bar.isVisible()
    assert blocker.args == ["winter", True, False]


def test_find_bar_moves_across_sections_with_n_of_m(bar, qtbot):
    harness = Harness(bar)
    bar.open_bar()
    qtbot.keyClicks(bar.edit, "grid")
    assert bar.count_label.text() == "1 of 3"
    assert harness.shown[-1] == ("_lead", 0)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.count_label.text() == "2 of 3"
    assert harness.shown[-1][0] == "demand"
    bar.find_next()  # F3
    assert (bar.count_label.text(), harness.shown[-1][0]) == ("3 of 3", "outlook")
    bar.find_next()  # wraps to the start of the brief
    assert (bar.count_label.text(), harness.shown[-1][0]) == ("1 of 3", "_lead")
    bar.find_previous()  # Shift+F3 wraps back to the end
    assert (bar.count_label.text(), harness.shown[-1][0]) == ("3 of 3", "outlook")


def test_no_match_turns_the_field_red(bar, qtbot):
    harness = Harness(bar)  # noqa: F841 - kept alive while the bar calls it
    normal = bar.edit.palette().color(QPalette.ColorRole.Base)
    bar.open_bar()
    qtbot.keyClicks(bar.edit, "zebra")
    assert bar.count_label.text() == "No matches"
    assert bar.edit.palette().color(QPalette.ColorRole.Base) != normal
    bar.edit.clear()
    qtbot.keyClicks(bar.edit, "grid")
    assert bar.edit.palette().color(QPalette.ColorRole.Base) == normal
