"""Library list, folder watcher, indexer, search-everywhere view and preferences dialog."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QTabWidget

from briefreader.library import BriefInfo, Library, LibraryEntry, section_texts
from briefreader.notes import NotesService
from briefreader.parse import load_brief
from briefreader.records import ReadingState
from briefreader.search import SearchFilters, SearchResult, Snippet, parse_query
from briefreader.store import Store
from briefreader.ui import preferences as preferences_module
from briefreader.ui.library_view import (
    COL_NOTES,
    COL_PROGRESS,
    COL_TITLE,
    Indexer,
    LibraryView,
    LibraryWatcher,
)
from briefreader.ui.preferences import Preferences, PreferencesDialog, edit_preferences
from briefreader.ui.search_view import SearchView, snippet_html

LOCKS = """\
---
title: Canal Locks Survey
id: locks-2026
---

# Canal Locks Survey

Twelve locks were inspected in October.

## Gates

Three lock gates need replacing before the summer season.

## Funding

The trust asked for emergency funding to repair the gates.
"""


def entry(path: str, title: str, *, notes: int = 0, read: int = 0, sections: int = 4,
          error: str | None = None) -> LibraryEntry:
    info = BriefInfo(path, path, title, "2026-03-01", sections, error=error)
    state = ReadingState(path, last_read="2026-11-26T16:45:00.000Z") if read else None
    return LibraryEntry(info, notes, state, read)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db" / "notes.sqlite3", backup_interval=None)
    yield s
    s.close()


@pytest.fixture
def folder(tmp_path) -> Path:
    f = tmp_path / "briefs"
    f.mkdir()
    (f / "locks.md").write_text(LOCKS, encoding="utf-8")
    return f


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(640, 360)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# --------------------------------------------------------------------------- library view


def test_library_lists_entries_and_opens_one_with_enter(qtbot):
    view = shown(qtbot, LibraryView())
    view.set_entries([
        entry("/b/zeta.md", "Zeta Review", notes=3, read=2),
        entry("/b/alpha.md", "Alpha Outlook"),
        entry("/b/broken.md", "Broken", error="not UTF-8"),
    ])  # fmt: skip
    model = view.tree.model()
    titles = [model.index(r, COL_TITLE).data() for r in range(model.rowCount())]
    assert titles == ["Alpha Outlook", "Broken", "Zeta Review"]  # sorted by title
    assert model.index(2, COL_PROGRESS).data() == "50 %"
    assert "not UTF-8" in model.index(1, COL_TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert view.status.text() == "3 briefs"

    view.tree.setFocus()
    view.tree.setCurrentIndex(model.index(2, COL_TITLE))
    with qtbot.waitSignal(view.brief_activated) as blocker:
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert blocker.args == ["/b/zeta.md"]


def test_two_briefs_of_one_title_are_told_apart_by_folder(qtbot):
    view = shown(qtbot, LibraryView())
    view.set_entries([entry("/briefs/old/heat.md", "Heatwave Briefing"),
                      entry("/briefs/new/heat.md", "Heatwave Briefing"),
                      entry("/briefs/zeta.md", "Zeta Review")])
    model = view.tree.model()
    titles = sorted(model.index(r, COL_TITLE).data() for r in range(model.rowCount()))
    assert titles == ["Heatwave Briefing — new", "Heatwave Briefing — old", "Zeta Review"]


def test_a_narrow_library_gives_the_title_the_room(qtbot):
    view = shown(qtbot, LibraryView())
    view.set_entries([entry("/b/zeta.md", "Zeta Review", notes=3, read=2)])
    view.resize(300, 300)
    qtbot.waitUntil(lambda: view.tree.isColumnHidden(COL_NOTES))
    assert not view.tree.isColumnHidden(COL_TITLE)
    view.resize(700, 300)
    qtbot.waitUntil(lambda: not view.tree.isColumnHidden(COL_NOTES))


def test_double_click_opens_and_filter_narrows(qtbot):
    view = shown(qtbot, LibraryView())
    view.set_entries([entry("/b/a.md", "Alpha Outlook"), entry("/b/z.md", "Zeta Review")])
    qtbot.keyClicks(view.filter_edit, "zeta")
    model = view.tree.model()
    assert model.rowCount() == 1
    index = model.index(0, COL_TITLE)
    rect = view.tree.visualRect(index)
    with qtbot.waitSignal(view.brief_activated) as blocker:
        # A real double click: press and release, then the double-click event.
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.tree.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert blocker.args == ["/b/z.md"]


def test_refreshing_entries_keeps_the_selection_and_progress_shows(qtbot):
    view = shown(qtbot, LibraryView())
    view.set_entries([entry("/b/a.md", "Alpha"), entry("/b/z.md", "Zeta")])
    view.select_path("/b/z.md")
    view.set_entries([entry("/b/a.md", "Alpha"), entry("/b/m.md", "Mid"), entry("/b/z.md", "Zeta")])
    assert view.current_path() == "/b/z.md"
    view.set_indexing(1, 4, "z.md")
    assert view.progress.isVisible() and "z.md" in view.status.text()
    view.set_indexing(4, 4)
    assert not view.progress.isVisible() and view.status.text() == "3 briefs"


def test_the_library_view_opens_a_real_brief(qtbot, store, folder):
    library = Library(store)
    library.add([folder])
    library.refresh()
    view = shown(qtbot, LibraryView())
    view.set_entries(library.entries())
    opened: list[str] = []
    view.brief_activated.connect(opened.append)
    view.tree.setFocus()
    view.tree.setCurrentIndex(view.tree.model().index(0, COL_TITLE))
    qtbot.keyClick(view.tree, Qt.Key.Key_Enter)
    assert opened == [str(folder / "locks.md")]
    assert load_brief(opened[0]).title == "Canal Locks Survey"


# --------------------------------------------------------------------------- watching, indexing


def test_watcher_sees_a_new_brief_and_a_changed_one(qtbot, store, folder):
    library = Library(store)
    library.add([folder])
    library.refresh()
    watcher = LibraryWatcher()
    watcher.set_paths(library.folders(), [e.info.path for e in library.entries()])
    assert watcher.watched() == sorted([str(folder), str(folder / "locks.md")])

    with qtbot.waitSignal(watcher.library_changed, timeout=5000):
        (folder / "bridges.txt").write_text("Bridge Report\n\nTwo bridges closed.\n",
                                            encoding="utf-8")
    report = library.refresh()
    assert report.added == (str(folder / "bridges.txt"),)

    locks = folder / "locks.md"
    with qtbot.waitSignal(watcher.brief_changed, timeout=5000) as blocker:
        locks.write_text(LOCKS.replace("Twelve locks", "Fourteen locks"), encoding="utf-8")
    assert blocker.args == [str(locks)]
    st = locks.stat()
    os.utime(locks, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    report = library.refresh()
    assert report.changed == (str(locks),)
    assert [r.section for r in store.search("fourteen")] == ["canal-locks-survey"]


def test_watcher_follows_a_file_replaced_by_an_editor(qtbot, folder):
    watcher = LibraryWatcher()
    locks = folder / "locks.md"
    watcher.set_paths([], [str(locks)])
    tmp = folder / ".locks.md.tmp"
    with qtbot.waitSignal(watcher.brief_changed, timeout=5000):
        tmp.write_text(LOCKS + "\nMore.\n", encoding="utf-8")
        os.replace(tmp, locks)
    qtbot.waitUntil(lambda: str(locks) in watcher.watched(), timeout=5000)


def test_indexer_indexes_off_the_gui_thread_with_progress(qtbot, store, folder):
    indexer = Indexer(store.database)
    steps: list[tuple[str, int, int]] = []
    indexer.progress.connect(lambda p, d, t: steps.append((p, d, t)))
    path = str(folder / "locks.md")
    with qtbot.waitSignals([indexer.indexed, indexer.idle], timeout=20000):
        indexer.enqueue([path])
    assert steps[-1] == (path, 3, 3)
    assert {r.section for r in store.search("gates")} == {"gates", "funding"}
    assert not indexer.busy()


def test_indexer_reports_an_unreadable_brief(qtbot, store, tmp_path):
    indexer = Indexer(store.database)
    with qtbot.waitSignal(indexer.failed, timeout=20000) as blocker:
        indexer.enqueue([str(tmp_path / "missing.md")])
    assert blocker.args[0].endswith("missing.md") and "does not exist" in blocker.args[1]
    indexer.stop()


def test_indexer_reports_every_queued_brief_when_the_database_cannot_open(qtbot, folder,
                                                                          tmp_path):
    indexer = Indexer(tmp_path / "briefs")  # a folder, not a database
    failed: list[tuple[str, str]] = []
    indexer.failed.connect(lambda p, why: failed.append((p, why)))
    paths = [str(folder / "locks.md"), str(tmp_path / "other.md")]
    with qtbot.waitSignal(indexer.idle, timeout=20000):
        indexer.enqueue(paths)
    assert [p for p, _ in failed] == paths
    assert all("cannot open the notes database" in why for _, why in failed)
    qtbot.waitUntil(lambda: not indexer.busy(), timeout=5000)


# --------------------------------------------------------------------------- search view


def _result(**kw) -> SearchResult:
    base = dict(kind="text", brief="Canal Locks Survey", brief_id="locks-2026", section="gates",
                section_title="Gates", snippet=Snippet("Three lock <gates> need", ((11, 18),)))
    base.update(kw)
    return SearchResult(**base)


def test_search_view_asks_with_the_filters(qtbot):
    view = shown(qtbot, SearchView())
    view.tag_edit.setText("infra")
    view.author_edit.setText("ana")
    view.scope_combo.setCurrentIndex(view.scope_combo.findData("notes"))
    view.color_combo.setCurrentIndex(view.color_combo.findData("red"))
    with qtbot.waitSignal(view.search_requested, timeout=3000) as blocker:
        qtbot.keyClicks(view.query_edit, "gates")  # debounced: one request
    assert blocker.args == [
        "gates", SearchFilters(scope="notes", color="red", tag="infra", author="ana")
    ]


def test_the_search_field_shows_its_placeholder_whole_however_narrow(qtbot):
    from placeholders import placeholder_fits

    view = shown(qtbot, SearchView())
    for width in (view.minimumSizeHint().width(), 300, 640):  # the narrowest panel and up
        view.resize(width, 360)
        qtbot.waitUntil(lambda w=width: view.width() == max(w, view.minimumWidth()))
        assert placeholder_fits(view.query_edit), (width, view.query_edit.width())
    # What was cut off is told in the field's tip.
    assert '"a phrase"' in view.query_edit.toolTip() and "pref*" in view.query_edit.toolTip()


def test_enter_searches_at_once_and_again_opens_the_first_result(qtbot):
    view = shown(qtbot, SearchView())
    view.query_edit.setText("gates")
    with qtbot.waitSignal(view.search_requested, timeout=1000):
        qtbot.keyClick(view.query_edit, Qt.Key.Key_Return)
    view.set_results([_result(), _result(section="funding")])
    assert view.status.text() == "2 results"
    with qtbot.waitSignal(view.result_activated) as blocker:
        qtbot.keyClick(view.query_edit, Qt.Key.Key_Return)
    assert blocker.args[0].section == "gates"


def test_snippets_are_escaped_with_matches_in_bold():
    assert snippet_html(_result()) == "Three lock <b>&lt;gates&gt;</b> need"


def test_a_results_place_keeps_its_section_when_the_brief_title_is_long(qtbot):
    from PySide6.QtGui import QFont, QFontMetrics

    from briefreader.ui.search_view import where_line

    metrics = QFontMetrics(QFont())
    result = _result(brief="Heatwave Preparedness: Public Health Briefing for the Committee",
                     section_title="Care Homes")
    whole = where_line(result, metrics, 2000)
    assert whole == ("Text · Heatwave Preparedness: Public Health Briefing for the"
                     " Committee › Care Homes")
    cut = where_line(result, metrics, 300)
    assert cut.endswith(" › Care Homes") and "…" in cut
    assert metrics.horizontalAdvance(cut) <= 300


def test_search_filters_have_room_in_a_side_panel(qtbot):
    view = shown(qtbot, SearchView())
    view.resize(320, 400)
    qtbot.waitUntil(lambda: view.tag_edit.width() >= 100)
    assert view.author_edit.width() >= 100


def test_results_from_two_briefs_of_one_title_name_their_folders(qtbot):
    from PySide6.QtGui import QFont, QFontMetrics

    from briefreader.ui.search_view import APART_ROLE, where_line

    view = shown(qtbot, SearchView())
    view.set_results([_result(path="/briefs/old/locks.md"), _result(path="/briefs/new/locks.md"),
                      _result(brief="Other Survey", path="/briefs/other.md")])
    model = view.model
    apart = [model.index(r, 0).data(APART_ROLE) for r in range(3)]
    assert apart == ["old", "new", None]
    metrics = QFontMetrics(QFont())
    line = where_line(model.result(0), metrics, 260, apart[0])
    assert line.endswith(" — old › Gates")  # kept, however long the title
    # Narrower than the section needs: it is cut at its end, the folder kept.
    long_section = _result(path="/briefs/old/locks.md",
                           section_title="Decisions for the Committee on the Canal Gates")
    cut = where_line(long_section, metrics, 240, "old")
    assert " — old › Decisions" in cut and cut.endswith("…")
    assert metrics.horizontalAdvance(cut) <= 240
    assert "/briefs/new/locks.md" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    # The library's titles give way in their middle, so a folder after them stays.
    library = LibraryView()
    qtbot.addWidget(library)
    assert library.tree.textElideMode() == Qt.TextElideMode.ElideMiddle


def test_a_snippet_slides_so_its_first_match_shows(qtbot):
    from PySide6.QtGui import QFont, QFontMetricsF

    from briefreader.search import Snippet
    from briefreader.ui.search_view import snippet_shift

    metrics = QFontMetricsF(QFont())
    early = Snippet("cooling centres opened early in the week", ((0, 7),))
    assert snippet_shift(early, metrics, 300) == 0.0  # shown from its start
    text = "the councils say that in most towns the " * 3 + "cooling centres opened"
    late = Snippet(text, ((text.index("cooling"), text.index("cooling") + 7),))
    shift = snippet_shift(late, metrics, 300)
    before = metrics.horizontalAdvance(text[: late.marks[0][0]])
    match = metrics.horizontalAdvance("cooling")
    # Slid so the match is about a quarter of the way in: whole, with some text before it,
    assert 0 < before - shift < 300 - 1.15 * match
    # and to the start of a word, never into one.
    starts = {metrics.horizontalAdvance(text[:i]) for i in range(len(text))
              if i == 0 or text[i - 1] == " "}
    assert shift in starts
    assert snippet_shift(Snippet(text), metrics, 300) == 0.0  # nothing to show


def test_a_long_word_before_the_match_does_not_slide_the_match_out_of_sight(qtbot):
    from PySide6.QtGui import QFont, QFontMetricsF

    from briefreader.search import Snippet
    from briefreader.ui.search_view import snippet_shift

    metrics = QFontMetricsF(QFont())
    # A web address (or any long word) between the snippet's start and its match.
    text = ("See https://www.gov.example/publications/heat-health-alerts-"
            "2026-summer-preparedness-annex-b-regional-figures for the cooling centres")
    start = text.index("cooling")
    snippet = Snippet(text, ((start, start + len("cooling")),))
    width = 300
    before = metrics.horizontalAdvance(text[:start])
    match = metrics.horizontalAdvance("cooling")
    assert before + 1.15 * match > width  # unslid, the match would be cut off
    shift = snippet_shift(snippet, metrics, width)
    # Slid, the match shows whole (as before word starts were looked for).
    assert before - shift + 1.15 * match <= width, (before, shift, match)



def test_a_global_search_result_opens_at_the_right_place(qtbot, store, folder):
    """Wired as the window does: search in the store, open the brief at the result."""
    library = Library(store)
    library.add([folder])
    library.refresh()
    brief = load_brief(folder / "locks.md")
    NotesService(store, author="ana").annotate(brief, "funding", "emergency funding",
                                               note="Ask about replacement gates")
    view = shown(qtbot, SearchView())
    view.search_requested.connect(
        lambda text, filters: view.set_results(store.search(parse_query(text), filters))
    )
    opened: list[SearchResult] = []
    view.result_activated.connect(opened.append)
    view.scope_combo.setCurrentIndex(view.scope_combo.findData("all"))
    view.query_edit.setText("replacing")
    view.request_search()
    assert view.model.rowCount() == 1
    view.list.setFocus()
    qtbot.keyClick(view.list, Qt.Key.Key_Return)
    (hit,) = opened
    assert (hit.path, hit.section) == (str(folder / "locks.md"), "gates")
    text = section_texts(load_brief(hit.path))[brief.index_of(hit.section)].text
    assert text[hit.start : hit.end] == "replacing"

    view.query_edit.setText("replacement")
    view.request_search()
    view.list.setCurrentIndex(view.model.index(0))
    qtbot.keyClick(view.list, Qt.Key.Key_Return)
    note = opened[-1]
    assert (note.kind, note.section) == ("note", "funding")
    text = section_texts(brief)[brief.index_of("funding")].text
    assert text[note.start : note.end] == "emergency funding"


# --------------------------------------------------------------------------- preferences


def test_preferences_round_trip(qtbot):
    prefs = Preferences(author="Ana", library_folders=("/a", "/b"),
                        color_labels=(("yellow", "key"), ("green", "ok"), ("blue", "ask"),
                                      ("red", "risk"), ("purple", "do")),
                        theme="dark", font_family="", font_size=14, keep_backups=9)
    dialog = PreferencesDialog(prefs)
    qtbot.addWidget(dialog)
    assert dialog.preferences() == prefs


def test_preferences_edit_folders_and_labels(qtbot, monkeypatch):
    dialog = PreferencesDialog(Preferences(library_folders=("/a",)))
    qtbot.addWidget(dialog)
    monkeypatch.setattr(preferences_module, "choose_folder", lambda *a, **k: "/new")
    dialog.add_folder_button.click()
    dialog.add_folder_button.click()  # the same folder once only
    dialog.folder_list.item(0).setSelected(True)
    dialog.remove_folder_button.click()
    dialog.label_edits["red"].setText("  ")  # blank → the default label
    dialog.author_edit.setText("  Ben ")
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
    dialog.size_spin.setValue(16)
    prefs = dialog.preferences()
    assert prefs.library_folders == ("/new",)
    assert prefs.label("red") == "concern"
    assert (prefs.author, prefs.theme, prefs.font_size) == ("Ben", "light", 16)


def test_label_swatches_are_the_colours_the_reader_paints(qtbot):
    from briefreader.highlight_paint import colour_for
    from briefreader.records import COLORS
    from briefreader.ui.theme import palette_is_dark

    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    dark = palette_is_dark(dialog.palette())
    swatches = [dialog.label_edits[c].actions()[0].icon().pixmap(14, 14).toImage()
                .pixelColor(7, 7) for c in COLORS]
    assert [c.name() for c in swatches] == [colour_for(c, dark).name() for c in COLORS]


def test_preferences_fields_start_and_end_in_line(qtbot):
    from PySide6.QtCore import QPoint

    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.author_edit.parentWidget()
    fields = [dialog.author_edit, *dialog.label_edits.values(), dialog.backups_spin]

    def edges(widget):
        left = widget.mapTo(page, QPoint(0, 0)).x()
        return left, left + widget.width()

    assert {edges(field) for field in fields} == {edges(dialog.author_edit)}


def test_highlight_actions_are_named_by_the_colour_labels(qtbot):
    from PySide6.QtWidgets import QWidget

    from briefreader.ui.actions import Actions

    owner = QWidget()
    qtbot.addWidget(owner)
    actions = Actions(owner)
    # Before Preferences are read, the default labels, as the store spells them.
    assert actions.highlight_colours["yellow"].text() == "Highlight &1: key point"
    actions.set_colour_labels({"blue": "Check figures"})
    assert actions.highlight_colours["blue"].text() == "Highlight &3: Check figures"
    assert actions.highlight_colours["red"].text() == "Highlight &4: concern"


def test_settings_hold_only_values_preferences_can_show(tmp_path):
    from briefreader.settings import BACKUPS_KEPT, DEFAULT_FONT_SIZE, FONT_SIZES, Settings

    settings = Settings(tmp_path / "settings.ini")
    settings.reader_font_size = FONT_SIZES[1] + 4  # e.g. written by an older version
    settings.keep_backups = BACKUPS_KEPT[1] + 50
    assert settings.reader_font_size == DEFAULT_FONT_SIZE
    assert settings.keep_backups == BACKUPS_KEPT[1]
    settings.reader_font_size = FONT_SIZES[0]
    assert settings.reader_font_size == FONT_SIZES[0]


def test_restore_defaults_keeps_folders(qtbot):
    dialog = PreferencesDialog(Preferences(author="Ana", library_folders=("/a",), font_size=20,
                                           theme="dark"))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preferences_applied) as blocker:
        dialog.restore_defaults()
        dialog.apply()
    assert blocker.args[0] == Preferences(library_folders=("/a",))


def test_edit_preferences_returns_the_choice_or_none(qtbot, monkeypatch):
    monkeypatch.setattr(PreferencesDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    assert edit_preferences(None, Preferences(author="Ana")).author == "Ana"
    monkeypatch.setattr(PreferencesDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert edit_preferences(None, Preferences()) is None


def test_two_briefs_of_one_title_in_one_folder_are_told_apart(qtbot):
    from briefreader.library import BriefInfo, LibraryEntry
    from briefreader.ui.library_view import COL_TITLE, LibraryView

    def entry(path: str, title: str) -> LibraryEntry:
        return LibraryEntry(BriefInfo(path, path, title, "2026-03-01", 4), 0, None, 0)

    view = LibraryView()
    qtbot.addWidget(view)
    # A reissue saved beside the first version, with the same title.
    view.set_entries([entry("/briefs/heat.md", "Heatwave Briefing"),
                      entry("/briefs/heat-v2.md", "Heatwave Briefing"),
                      entry("/old/briefs/heat.md", "Heatwave Briefing")])
    model = view.tree.model()
    titles = [model.index(r, COL_TITLE).data() for r in range(model.rowCount())]
    assert len(set(titles)) == 3, titles


def test_a_place_line_fits_its_width_when_a_whole_path_tells_briefs_apart(qtbot):
    from PySide6.QtGui import QFont, QFontMetrics

    from briefreader.search import SearchResult, Snippet
    from briefreader.ui.item_views import told_apart
    from briefreader.ui.search_view import where_line

    # Same title, same folder name, same file name: only the whole path tells them apart.
    one = "/home/ana/Documents/2025/briefs/locks.md"
    two = "/home/ana/Documents/2026/briefs/locks.md"
    apart = told_apart([("Canal Locks Survey", one), ("Canal Locks Survey", two)])
    assert apart[one] == one
    result = SearchResult(kind="text", brief="Canal Locks Survey", brief_id="locks",
                          section="gates", section_title="Gates",
                          snippet=Snippet("Three lock gates need", ((11, 16),)), path=one)
    metrics = QFontMetrics(QFont())
    for width in (300, 200):  # a search dock's width
        line = where_line(result, metrics, width, apart[one])
        # Drawn clipped to its width: it must end in "…", not be cut mid-letter.
        assert metrics.horizontalAdvance(line) <= width, (width, line)


def test_a_match_at_the_rows_end_is_not_hidden_under_the_trailing_ellipsis(qtbot):
    from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF

    from briefreader.search import Snippet
    from briefreader.ui.search_view import snippet_shift

    font = QFont()
    metrics = QFontMetricsF(font)
    text = ("The ferry link carries 1.1 million passengers a year while fares rose "
            "by a fifth in two years and sailings fell again")
    start = text.index("passengers")
    end = start + len("passengers")
    before = metrics.horizontalAdvance(text[:start])
    match = 1.15 * metrics.horizontalAdvance(text[start:end])
    width = int(before + match) + 1  # the match ends just inside the row
    assert metrics.horizontalAdvance(text) > width  # the text runs on past the row
    shift = snippet_shift(Snippet(text, ((start, end),)), metrics, width)
    # As the delegate paints: "… " before a slid snippet, " …" at the end when it runs
    # on past the row; the match must show whole in between.
    ints = QFontMetrics(font)
    lead = ints.horizontalAdvance("… ") if shift else 0
    room = width - lead - ints.horizontalAdvance(" …")
    assert before - shift + match <= room, (before, shift, match, room)


def test_preferences_delete_removes_the_chosen_folders(qtbot):
    dialog = PreferencesDialog(Preferences(library_folders=("/a", "/b", "/c")))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.findChild(QTabWidget).setCurrentIndex(1)  # Library
    folders = dialog.folder_list
    folders.setFocus()
    qtbot.waitUntil(folders.hasFocus)
    folders.item(1).setSelected(True)
    qtbot.keyClick(folders, Qt.Key.Key_Delete)
    assert dialog.preferences().library_folders == ("/a", "/c")
    assert dialog.remove_folder_button.toolTip().endswith("(Del)")


def test_preferences_alt_and_a_letter_go_to_one_place_on_each_page(qtbot):
    from PySide6.QtGui import QKeySequence

    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    tabs = dialog.findChild(QTabWidget)
    for page in range(tabs.count()):
        tabs.setCurrentIndex(page)
        texts = [tabs.tabText(i) for i in range(tabs.count())]
        texts += [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(
            QAbstractButton) if w.isVisible()]
        keys = [QKeySequence.mnemonic(t).toString() for t in texts if "&" in t]
        assert len(keys) == len(set(keys)), (tabs.tabText(page), sorted(keys))
