"""The real main window, driven as a person would: mouse, keys, restart."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication

from briefreader.settings import Settings
from briefreader.ui import main_window as main_window_module
from briefreader.ui.main_window import MainWindow
from briefreader.ui.navigator import SECTION_ID_ROLE

BRIEF_MD = """\
---
title: Harbour Resilience Review
id: harbour-2026
date: 2026-03-02
classification: internal
---

A short lead paragraph before any heading.

# Harbour Resilience Review

Opening remarks about the harbour. See [the costs](#costs) and [the ministry](https://example.org).

## Findings

The sea wall is aging. ![chart](chart.png) ![secret](/etc/passwd) ![zero](/dev/zero)

### Costs

| Item | Cost |
|------|------|
| Wall | 12 |

## Recommendations

Raise the wall by one metre.
"""

BRIEF_TXT = """\
Grain Corridor Update

Grain Corridor Update

Shipping Volumes Recover

Volumes rose in the third week as insurers returned to the route and convoys resumed.

Insurance Costs Remain High

Premiums remain three times higher than before the closure, officials said in a briefing.

Leave a Comment
"""


@pytest.fixture
def briefs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "briefs"
    folder.mkdir()
    (folder / "a-harbour.md").write_text(BRIEF_MD, encoding="utf-8")
    (folder / "b-grain.txt").write_text(BRIEF_TXT, encoding="utf-8")
    return folder


def make_window(qtbot, tmp_path: Path, library: Path | None = None) -> MainWindow:
    settings = Settings(tmp_path / "settings.ini")
    window = MainWindow(settings, default_library=library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, tmp_path, briefs_dir):
    w = make_window(qtbot, tmp_path, briefs_dir)
    w.open_initial(None)
    qtbot.waitUntil(lambda: w.brief is not None)
    return w


def section_ids(window: MainWindow) -> list[str]:
    return [s.id for s in window.brief.sections]


def click_section(qtbot, window: MainWindow, section_id: str) -> None:
    tree = window.navigator.tree
    index = window.navigator.model.index_for(section_id)
    tree.scrollTo(index)
    rect = tree.visualRect(index)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_opens_first_brief_of_library(window):
    assert window.windowTitle() == "Harbour Resilience Review — briefreader"
    assert window.reader.section.id == window.brief.sections[0].id
    root = window.navigator.model.index(0, 0)
    assert root.data() == "Harbour Resilience Review"
    # The folder has two briefs: the picker offers both.
    assert window.navigator.picker.isVisibleTo(window)
    assert window.navigator.picker.count() == 2


def test_mouse_click_shows_section(qtbot, window):
    target = next(s for s in window.brief.sections if s.title == "Recommendations")
    click_section(qtbot, window, target.id)
    assert window.reader.section.id == target.id
    assert "Raise the wall by one metre." in window.reader.toPlainText()
    assert window.position_label.text().endswith(f"of {len(window.brief.sections)}")


def test_keyboard_moves_through_sections(qtbot, window):
    ids = section_ids(window)
    window.actions_.focus_navigator.trigger()
    qtbot.waitUntil(lambda: window.navigator.tree.hasFocus())
    qtbot.keyClick(window.navigator.tree, Qt.Key.Key_Down)
    assert window.reader.section.id == ids[1]
    # Next/previous from anywhere, including the text.
    window.actions_.focus_reader.trigger()
    qtbot.waitUntil(lambda: window.reader.hasFocus())
    qtbot.keyClick(window.reader, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.reader.section.id == ids[2]
    qtbot.keyClick(window.reader, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.section.id == ids[3]
    qtbot.keyClick(window.reader, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.reader.section.id == ids[2]
    # Navigator follows the reader.
    assert window.navigator.current_section_id() == ids[2]


def test_where_the_keyboard_is_shows_in_the_section_list(qtbot, window):
    # The selected section in full colour while the list has the keyboard, muted
    # (across the whole row, its indentation too) while the text has it.
    window.show_section(section_ids(window)[1])  # a subsection: indented
    tree = window.navigator.tree
    window.actions_.focus_navigator.trigger()
    qtbot.waitUntil(tree.hasFocus)
    rect = tree.visualRect(tree.currentIndex())
    end, indent = QPoint(rect.right() - 3, rect.center().y()), QPoint(2, rect.center().y())
    assert rect.left() > indent.x()

    def colours():
        image = tree.viewport().grab().toImage()
        return image.pixelColor(end), image.pixelColor(indent)

    def near(a, b) -> bool:  # (the style shades a selection a little)
        return max(abs(a.red() - b.red()), abs(a.green() - b.green()),
                   abs(a.blue() - b.blue())) <= 12

    strong = tree.palette().color(QPalette.ColorRole.Highlight)
    base = tree.palette().color(QPalette.ColorRole.Base)
    assert near(colours()[0], strong)
    window.actions_.focus_reader.trigger()
    qtbot.waitUntil(window.reader.hasFocus)
    muted, indentation = colours()
    assert not near(muted, strong) and not near(muted, base)
    assert not near(indentation, strong)


def test_text_selectable_with_keyboard(qtbot, window):
    window.actions_.focus_reader.trigger()
    qtbot.waitUntil(lambda: window.reader.hasFocus())
    cursor = window.reader.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    window.reader.setTextCursor(cursor)
    qtbot.keyClick(window.reader, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert window.reader.textCursor().hasSelection()
    qtbot.keyClick(window.reader, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.reader.textCursor().selectedText()


def test_zoom_shortcuts(qtbot, window):
    assert window.reader.zoom == 100
    size = window.reader.document().defaultFont().pointSizeF()
    qtbot.keyClick(window.reader, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.zoom == 110
    assert window.reader.document().defaultFont().pointSizeF() > size
    qtbot.keyClick(window.reader, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.reader, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.zoom == 90
    qtbot.keyClick(window.reader, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.zoom == 100
    assert window.zoom_label.text() == "100 %"


def test_restart_restores_brief_section_zoom_and_layout(qtbot, tmp_path, briefs_dir):
    w1 = make_window(qtbot, tmp_path, briefs_dir)
    w1.open_initial(None)
    qtbot.waitUntil(lambda: w1.brief is not None)
    grain = briefs_dir / "b-grain.txt"
    w1.open_path(grain)
    qtbot.waitUntil(lambda: w1.brief.path == grain)
    w1.show_section(w1.brief.sections[-1].id)
    w1.reader.set_zoom(125)
    w1.splitter.setSizes([333, 700])
    nav_width = w1.splitter.sizes()[0]
    w1.close()

    w2 = make_window(qtbot, tmp_path, briefs_dir)
    w2.open_initial(None)
    qtbot.waitUntil(lambda: w2.brief is not None)
    assert w2.brief.path == grain
    assert w2.reader.section.id == w2.brief.sections[-1].id
    assert w2.reader.zoom == 125
    assert w2.splitter.sizes()[0] == nav_width
    # The folder that was opened is what Open Recent offers.
    assert w2.settings.recent[0] == str(briefs_dir)


def test_plain_text_brief_sections(qtbot, window, briefs_dir):
    window.open_path(briefs_dir / "b-grain.txt")
    qtbot.waitUntil(lambda: window.brief.title == "Grain Corridor Update")
    titles = [s.title for s in window.brief.sections]
    assert titles == ["Shipping Volumes Recover", "Insurance Costs Remain High"]
    assert window.windowTitle() == "Grain Corridor Update — briefreader"


def test_internal_link_jumps_to_section(qtbot, window):
    first = window.brief.section("harbour-resilience-review")
    window.show_section(first.id)
    window.reader.anchorClicked.emit(QUrl("#costs"))
    assert window.reader.section.id == "costs"


def test_external_link_asks_before_opening(qtbot, window, monkeypatch):
    asked, opened = [], []
    monkeypatch.setattr(
        main_window_module, "confirm_external_link", lambda _w, url: asked.append(url) or False
    )
    monkeypatch.setattr(
        main_window_module.QDesktopServices, "openUrl", lambda url: opened.append(url)
    )
    window.reader.anchorClicked.emit(QUrl("https://example.org"))
    assert asked == ["https://example.org"] and opened == []
    monkeypatch.setattr(main_window_module, "confirm_external_link", lambda _w, url: True)
    window.reader.anchorClicked.emit(QUrl("https://example.org"))
    assert [u.toString() for u in opened] == ["https://example.org"]
    # Anything else does nothing at all: not even a question.
    asked.clear()
    monkeypatch.setattr(
        main_window_module, "confirm_external_link", lambda _w, url: asked.append(url) or True
    )
    section = window.reader.section.id
    window.reader.anchorClicked.emit(QUrl("file:///etc/passwd"))
    window.reader.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert asked == [] and window.reader.section.id == section
    assert "root:" not in window.reader.toPlainText()


def test_hostile_images_become_placeholders(qtbot, window):
    # /dev/zero would abort the process and /etc/passwd would leak: neither is read.
    window.show_section("findings")
    text = window.reader.toPlainText()
    assert "The sea wall is aging." in text
    assert "root:" not in text


def test_bad_file_shows_clear_message_and_keeps_brief(qtbot, window, tmp_path):
    current = window.brief
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + bytes(range(256)) * 4)
    window.open_path(binary)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert window.banner.level == "error"
    assert "image.txt" in window.banner.text()
    assert window.brief is current


def test_wrong_encoding_offers_windows_1252(qtbot, window, tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\u00e9 Talks\n\nMinisters met at the caf\u00e9 to agree terms.\n"
                     .encode("cp1252"))
    window.open_path(path)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert "offset" in window.banner.text()
    assert window.banner.button.isVisible()
    qtbot.mouseClick(window.banner.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.brief.path == path)
    assert "café" in window.reader.toPlainText()


def test_drop_a_file_opens_it(qtbot, window, briefs_dir):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(briefs_dir / "b-grain.txt"))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.brief.title == "Grain Corridor Update")


def test_dark_theme_switch(qtbot, window):
    window.actions_.theme_dark.trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
    assert window.settings.theme == "dark"
    window.actions_.theme_light.trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 128


def test_the_message_strip_follows_the_theme(qtbot, window):
    window.actions_.theme_dark.trigger()
    window.banner.show_message("This brief changed since you last read it.", "warning")
    assert "#3d3214" in window.banner.styleSheet()  # a dark strip in a dark window
    window.actions_.theme_light.trigger()
    assert "#fbedc7" in window.banner.styleSheet()
    window.actions_.theme_dark.trigger()
    assert "#3d3214" in window.banner.styleSheet()


def test_large_brief_loads_without_blocking(qtbot, tmp_path):
    big = tmp_path / "big.md"
    parts = ["# Big Brief\n\nIntro.\n"]
    for i in range(400):
        parts.append(f"\n## Part {i}\n\n" + ("Paragraph text about policy. " * 60 + "\n\n") * 2)
    big.write_text("".join(parts), encoding="utf-8")
    assert big.stat().st_size > 600_000
    w = make_window(qtbot, tmp_path, None)
    w.open_path(big)
    # Parsed on a worker thread: the progress bar shows until it arrives.
    assert w.brief is None and w.progress.isVisible()
    qtbot.waitUntil(lambda: w.brief is not None, timeout=20_000)
    assert not w.progress.isVisible()
    assert len(w.brief.sections) == 401


def test_every_action_with_a_shortcut_is_unique(window):
    seen = {}
    for action in window.actions_.all():
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text} used by {seen.get(text)} and {action.text()}"
            seen[text] = action.text()
    assert "Ctrl+Q" in seen and "Ctrl+O" in seen


def test_a_selected_section_with_notes_is_highlighted_to_its_edge(qtbot):
    from briefreader.parse import parse_markdown
    from briefreader.ui.navigator import Navigator

    nav = Navigator()
    qtbot.addWidget(nav)
    nav.resize(260, 300)
    nav.set_brief(parse_markdown("# Brief\n\nIntro.\n\n## Costs\n\nText.\n", name="b.md",
                                 content_hash="nav-h"))
    nav.set_counts({"costs": (3, 1, False)})
    nav.show()
    qtbot.waitExposed(nav)
    nav.select_section("costs")
    qtbot.wait(20)
    rect = nav.tree.visualRect(nav.model.index_for("costs"))
    image = nav.tree.viewport().grab().toImage()
    highlight = nav.tree.palette().color(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight)
    active = nav.tree.palette().color(QPalette.ColorRole.Highlight)
    # Under the count badge's right end (not the badge itself: its bottom margin).
    probe = image.pixelColor(rect.right() - 2, rect.bottom() - 1)
    assert probe in (highlight, active), probe.name()


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_read_sections_are_quieter_but_not_greyed_out(qtbot, mode):
    from PySide6.QtWidgets import QStyleOptionViewItem

    from briefreader.parse import parse_markdown
    from briefreader.ui.navigator import Navigator
    from briefreader.ui.theme import apply_theme
    from contrast import contrast

    app = QApplication.instance()
    before = app.palette()
    try:
        apply_theme(app, mode)
        nav = Navigator()
        qtbot.addWidget(nav)
        nav.resize(260, 300)
        nav.set_brief(parse_markdown("# Brief\n\nIntro.\n\n## Costs\n\nText.\n\n"
                                     "## Risks\n\nMore.\n", name="b.md", content_hash="nav-r"))
        nav.set_read({"costs"})
        nav.show()
        qtbot.waitExposed(nav)
        palette = nav.tree.palette()
        base = palette.color(QPalette.ColorRole.Base)
        greyed = {palette.color(QPalette.ColorRole.PlaceholderText).name(QColor.NameFormat.HexArgb),
                  palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text).name(
                      QColor.NameFormat.HexArgb)}

        def shown(section_id: str) -> QStyleOptionViewItem:
            option = QStyleOptionViewItem()
            option.initFrom(nav.tree)
            nav.tree.itemDelegate().initStyleOption(option, nav.model.index_for(section_id))
            return option

        read, unread = shown("costs"), shown("risks")
        read_text = read.palette.color(QPalette.ColorRole.Text)
        unread_text = unread.palette.color(QPalette.ColorRole.Text)
        assert read.text.startswith("\u2713 ") and not unread.text.startswith("\u2713")
        assert read_text.name(QColor.NameFormat.HexArgb) not in greyed
        # Quieter than the sections not yet read, and as legible as body text.
        assert contrast(read_text, base) < contrast(unread_text, base)
        assert contrast(read_text, base) >= 7
        # Plainly so, in either theme: no near-black beside the black of the others.
        assert contrast(read_text, base) <= 7.5, read_text.name()
        assert contrast(read_text, unread_text) >= 1.75, read_text.name()
        # As drawn: the darkest (light theme) or brightest (dark) ink of the read row
        # stands out from the background as text does, far more than the greyed hint.
        image = nav.tree.viewport().grab().toImage()
        rect = nav.tree.visualRect(nav.model.index_for("costs"))
        ink = max(contrast(image.pixelColor(x, y), base)
                  for x in range(rect.left(), rect.right())
                  for y in range(rect.top(), rect.bottom()))
        assert ink >= 7, ink
    finally:
        app.setPalette(before)


def test_navigator_tree_is_nested(window):
    model = window.navigator.model
    root = model.index(0, 0)
    top = [model.index(r, 0, root).data(SECTION_ID_ROLE) for r in range(model.rowCount(root))]
    assert "harbour-resilience-review" in top
    h1 = model.index_for("harbour-resilience-review")
    children = [model.index(r, 0, h1).data(SECTION_ID_ROLE) for r in range(model.rowCount(h1))]
    assert children == ["findings", "recommendations"]
    findings = model.index_for("findings")
    assert model.index(0, 0, findings).data(SECTION_ID_ROLE) == "costs"


def test_shortcuts_dialog_lists_typed_shortcuts_and_filters(window):
    from briefreader.ui.shortcuts_dialog import ShortcutsDialog, shortcut_rows

    rows = dict(shortcut_rows(window.actions_.all()))
    assert rows["Quit"].startswith("Ctrl+Q") and "Exit" not in rows["Quit"]
    assert rows["Next Section"] == "Alt+Down, Ctrl+PgDown"
    dialog = ShortcutsDialog(window.actions_.all(), window)
    dialog.filter.setText("zoom")
    assert sorted(dialog.visible_commands()) == ["Zoom In", "Zoom Out"]
    dialog.filter.setText("ctrl+0")  # by shortcut too
    assert dialog.visible_commands() == ["Actual Size"]
    dialog.close()


def test_breadcrumb_names_the_brief_once_and_then_the_parents(qtbot, window):
    # "Harbour Resilience Review" is both the brief's title and its top heading.
    window.show_section("costs")
    assert window.breadcrumb.toolTip() == "Harbour Resilience Review  ›  Findings"
    window.show_section("findings")
    assert window.breadcrumb.toolTip() == "Harbour Resilience Review"


def test_the_breadcrumb_is_cut_short_whenever_the_text_gets_narrower(qtbot, window):
    # A dock or the section list taking width from the text, the window's size unchanged
    # (the Library opened beside the sections): the line is cut anew, with an ellipsis.
    from PySide6.QtGui import QFontMetrics

    window.show_section("costs")
    crumb = window.breadcrumb
    whole = crumb.toolTip()
    total = sum(window.splitter.sizes())
    width = window.width()
    for sections in (150, total - 160, 200):
        window.splitter.setSizes([sections, total - sections])
        qtbot.wait(10)
        assert abs(window.splitter.sizes()[0] - sections) <= 2, window.splitter.sizes()
        assert window.width() == width
        shown = crumb.text()
        assert QFontMetrics(crumb.font()).horizontalAdvance(shown) <= crumb.contentsRect().width()
        assert shown == whole or "\u2026" in shown, shown
    assert crumb.text() == whole  # room again: whole again


DEEP_MD = """---
title: A Very Long Brief Title On Regional Water Security And Drought Preparedness
---

# Overview

One.

## Supply and demand outlook

Two.

### Groundwater reserves in the south

Three.

#### Nested level 4 heading

Four.

##### Nested level 5 heading

Five.

###### Nested level 6 heading

Six.
"""


def test_a_deep_breadcrumb_shortens_the_long_levels_and_keeps_every_one(qtbot, window,
                                                                        tmp_path):
    # Cut from its middle, the line showed "A Very Long Brief Title On Regional Water…evel 4
    # heading  ›  Nested level 5 heading": levels one to three were gone. The longest
    # (the brief's title first) are cut short instead, each level still begun.
    from PySide6.QtGui import QFontMetrics

    deep = tmp_path / "deep.md"
    deep.write_text(DEEP_MD, encoding="utf-8")
    window.open_path(deep)
    qtbot.waitUntil(lambda: window.brief is not None and window.brief.path == deep)
    window.show_section("nested-level-6-heading")
    crumb = window.breadcrumb
    levels = crumb.toolTip().split("  \u203a  ")
    assert len(levels) == 6 and levels[-1] == "Nested level 5 heading"
    total = sum(window.splitter.sizes())
    window.splitter.setSizes([total - 600, 600])
    qtbot.waitUntil(lambda: crumb.text() != crumb.toolTip())
    shown = crumb.text().split("  \u203a  ")
    assert QFontMetrics(crumb.font()).horizontalAdvance(crumb.text()) \
        <= crumb.contentsRect().width()
    assert len(shown) == len(levels), crumb.text()
    for level, part in zip(levels, shown, strict=True):
        assert part == level or (part.endswith("\u2026") and level.startswith(part[:-1])
                                 and len(part) > 4), (part, level)
    assert shown[0] != levels[0]  # the long title gave way first


@pytest.mark.parametrize("width", [900, 700, 500, 420, 300])
def test_a_breadcrumb_cut_short_begins_with_the_title_and_ends_with_the_nearest_level(
        qtbot, width):
    from PySide6.QtGui import QFont, QFontMetrics

    from briefreader.ui.main_window import TRAIL_SEPARATOR, fit_trail

    metrics = QFontMetrics(QFont())
    levels = ["A Very Long Brief Title On Regional Water Security", "Overview",
              "Supply and demand outlook", "Groundwater reserves in the south",
              "Nested level 4 heading", "Nested level 5 heading"]
    shown = fit_trail(levels, metrics, width)
    assert metrics.horizontalAdvance(shown) <= width
    parts = shown.split(TRAIL_SEPARATOR)
    assert parts[0].startswith("A Very L") and parts[-1].startswith("Nested ")
    # Where a level gives way whole, the "…" says so, just after the title.
    assert len(parts) == len(levels) or parts[1] == "\u2026"


def test_a_damaged_notes_database_is_offered_its_backup_in_the_window(qtbot, tmp_path):
    from briefreader.app import report_store_error
    from briefreader.paths import Paths
    from briefreader.records import DatabaseCorruptError
    from briefreader.store import Store

    paths = Paths(tmp_path / "data").ensure()
    store = Store.open(paths)
    backup = store.backup()
    store.close()
    paths.database.write_bytes(b"not a database" * 500)
    with pytest.raises(DatabaseCorruptError) as info:
        Store.open(paths)
    window = MainWindow(Settings(paths.settings_file), notes=None, paths=paths)
    qtbot.addWidget(window)
    window.show()
    report_store_error(window, info.value, paths.database, paths.backups)
    banner = window.banner
    assert "Notes are unavailable" in banner.text() and banner.button.isVisible()
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)
    assert f"restored from the backup {backup.name}" in banner.text()
    Store.open(paths).close()  # sound again
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)  # Quit
    assert not window.isVisible()


def test_notes_unavailable_for_another_reason_offer_no_restore(qtbot, tmp_path):
    from briefreader.app import report_store_error
    from briefreader.paths import Paths
    from briefreader.records import StoreError

    paths = Paths(tmp_path / "data").ensure()
    window = MainWindow(Settings(paths.settings_file), notes=None, paths=paths)
    qtbot.addWidget(window)
    window.show()
    report_store_error(window, StoreError("the notes database is busy"), paths.database,
                       paths.backups)
    assert "busy" in window.banner.text() and not window.banner.button.isVisible()


def test_the_section_lists_style_outlives_any_one_section_list(qtbot):
    import gc

    import shiboken6
    from PySide6.QtWidgets import QApplication

    from briefreader.ui.navigator import Navigator

    first = Navigator()
    style = first.tree.style()
    first.deleteLater()  # (as a closing window's section list)
    del first
    QApplication.sendPostedEvents(None, 0)
    gc.collect()
    assert shiboken6.isValid(style)  # a list being taken down may still ask it
    second = Navigator()
    qtbot.addWidget(second)
    assert second.tree.style() is style
    assert style.styleHint(style.StyleHint.SH_ItemView_ShowDecorationSelected) == 0


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_quiet_text_is_still_legible_in_either_theme(qtbot, tmp_path, mode):
    """Where you are (above the text), a note's author and date, the panel's counts:
    quieter than the text, yet at 4.5:1 or more on what they are drawn on, a chosen
    card's tint too."""
    from briefreader.paths import Paths
    from briefreader.ui.theme import apply_theme, mixed
    from contrast import contrast
    from windows import ferry_brief, open_window

    app = QApplication.instance()
    before = app.palette()
    try:
        apply_theme(app, mode)
        window, store = open_window(qtbot, Paths(tmp_path / "data").ensure(),
                                    ferry_brief(tmp_path))
        try:
            window.show_section("options")
            an = window.note_taking.annotations
            hid = an.create_highlight("options", 0, 6, "yellow")
            panel = window.note_taking.panel
            qtbot.waitUntil(lambda: panel.card(hid) is not None)
            card = panel.card(hid)
            palette = card.palette()
            roles = QPalette.ColorRole
            chosen = mixed(palette.color(roles.Base), palette.color(roles.Highlight), 0.12)
            quiet = {
                "breadcrumb": (window.breadcrumb, [window.breadcrumb.palette().color(
                    roles.Window)]),
                "summary": (panel.summary_label, [panel.summary_label.palette().color(
                    roles.Window)]),
                "meta": (card.meta, [palette.color(roles.Base), chosen]),
            }
            for name, (label, backgrounds) in quiet.items():
                assert label.isVisible() and label.text(), name
                ink = label.palette().color(label.foregroundRole())
                text = label.palette().color(roles.Text)
                for background in backgrounds:
                    drawn = mixed(background, ink, ink.alphaF())  # a translucent ink's
                    assert contrast(drawn, background) >= 4.5, (name, drawn.name(),
                                                                background.name())
                    assert contrast(drawn, background) < contrast(text, background), name
        finally:
            window.close()
            store.close()
    finally:
        app.setPalette(before)


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32",
                    reason="Ctrl+C is a console event on Windows")
def test_ctrl_c_in_the_terminal_closes_the_window_as_its_close_button_does(window, qtbot):
    from briefreader.app import close_on_interrupt

    previous = signal.getsignal(signal.SIGINT)
    try:
        close_on_interrupt(window)
        os.kill(os.getpid(), signal.SIGINT)  # as the terminal sends it
        qtbot.waitUntil(lambda: not window.isVisible())
    finally:
        signal.signal(signal.SIGINT, previous)
