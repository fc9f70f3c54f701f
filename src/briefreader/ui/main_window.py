"""The main window: section navigator on the left, the rendered brief on the right.

This is the one place that wires children together (``_connect_signals``); the
navigator and the reader only emit intents.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QRect, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QContextMenuEvent,
    QDesktopServices,
    QFontMetrics,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from briefreader import __version__
from briefreader.brief import Brief
from briefreader.errors import BriefreaderError
from briefreader.notes import NotesService, SyncReport, brief_key
from briefreader.parse import EncodingError, find_briefs
from briefreader.paths import Paths
from briefreader.records import StoredBrief
from briefreader.settings import Settings
from briefreader.ui import file_dialogs
from briefreader.ui.actions import Actions
from briefreader.ui.banner import Banner
from briefreader.ui.file_dialogs import BRIEFS, DialogFolders
from briefreader.ui.finding import Finding
from briefreader.ui.item_views import SCOPE_PROPERTY
from briefreader.ui.loader import BriefLoader, is_big
from briefreader.ui.navigator import Navigator
from briefreader.ui.note_taking import NoteTaking
from briefreader.ui.reader import ZOOM_STEPS, ReaderView
from briefreader.ui.shortcuts_dialog import KEYS_ELSEWHERE, ShortcutsDialog
from briefreader.ui.theme import apply_theme

APP_TITLE = "briefreader"
TRAIL_SEPARATOR = "  ›  "
#: A level of the breadcrumb cut short keeps at least this many letters' room.
TRAIL_LEVEL_LEAST = 8
FALLBACK_ENCODING = "cp1252"
#: A changed brief with this many notes has them placed again on a worker thread
#: (up to a few ms each: hundreds would freeze the window for a moment).
PLACE_ON_A_WORKER = 100


def _file_label(path: Path) -> str:
    """A brief's file name as words ("digital-trade_round-4.md" → "Digital trade round 4")."""
    words = path.stem.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else path.name


def confirm_external_link(parent: QWidget, url: str) -> bool:
    """Ask before anything leaves the machine. Tests replace this function."""
    answer = QMessageBox.question(
        parent,
        "Open link in browser?",
        f"This link leads outside briefreader:\n\n{url}\n\nOpen it in your web browser?",
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Open


def fit_trail(parts: list[str], metrics: QFontMetrics, width: int) -> str:
    """The breadcrumb's levels (the brief's title, then each parent) joined, in ``width``
    pixels. The title is cut short first (it is in the window's title and atop the
    sections already), then the longest of the other levels, each to the same width,
    so that every level still shows its beginning; the nearest parent stays whole while
    it can. Where not even that fits, the levels after the title give way to "…",
    those nearest the title first; a line still too long is cut in its middle."""
    text = TRAIL_SEPARATOR.join(parts)
    if metrics.horizontalAdvance(text) <= width:
        return text
    least = metrics.horizontalAdvance("x" * TRAIL_LEVEL_LEAST + "\u2026")
    separator = metrics.horizontalAdvance(TRAIL_SEPARATOR)
    for dropped in range(max(1, len(parts) - 1)):
        levels = [parts[0], "\u2026", *parts[1 + dropped:]] if dropped else parts
        widths = [metrics.horizontalAdvance(level) for level in levels]
        room = width - separator * (len(levels) - 1)
        kept = {1} if dropped else set()  # (the "…" is not cut)
        for fixed in (kept | {len(levels) - 1}, kept):
            caps = _level_widths(widths, room, least, fixed)
            if caps is not None:
                return TRAIL_SEPARATOR.join(
                    level if w <= cap
                    else metrics.elidedText(level, Qt.TextElideMode.ElideRight, cap)
                    for level, w, cap in zip(levels, widths, caps, strict=True))
    return metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width)


def _level_widths(widths: list[int], room: int, least: int, fixed: set[int]
                  ) -> list[int] | None:
    """How wide each level may stay for all to fit in ``room``: the first (the title)
    cut first, then the others not ``fixed`` each to the same width, none to less than
    ``least``; None where they do not fit."""
    caps = list(widths)
    if sum(w if n in fixed else min(w, least) for n, w in enumerate(widths)) > room:
        return None
    title, others = widths[0], sum(widths[1:])
    if room - others >= min(title, least):
        caps[0] = min(title, room - others)  # the title alone gives way
        return caps
    caps[0] = min(title, least)
    free = [n for n in range(1, len(widths)) if n not in fixed]
    left = room - caps[0] - sum(widths[n] for n in fixed)
    low, high = least, max((widths[n] for n in free), default=least)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(widths[n], cap) for n in free) <= left:
            low = cap
        else:
            high = cap - 1
    for n in free:
        caps[n] = min(widths[n], low)
    return caps


class MainWindow(QMainWindow):
    #: A brief whose notes were prepared on a worker thread: (brief, what the worker's
    #: sync reported or None, where its comments were before).
    _notes_prepared = Signal(object, object, object)

    def __init__(self, settings: Settings, *, default_library: Path | None = None,
                 notes: NotesService | None = None, paths: Paths | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.default_library = default_library
        self.brief: Brief | None = None
        self.opened_path: Path | None = None  # what the user opened: a file or a folder
        self.folder_briefs: list[Path] = []
        self.dialog_folders = DialogFolders(settings, self._brief_path)
        self._pending_section: str | None = None
        self._pending_path: Path | None = None
        #: Brief key → (version, report, where its comments were) of notes a worker
        #: placed for a brief left before they opened: said when that version opens.
        self._unshown_reports: dict[str, tuple[str, SyncReport, dict[str, str | None]]] = {}
        #: The brief whose notes a worker is placing for the window now (the progress
        #: bar and status message are its).
        self._preparing: Brief | None = None
        #: The ticket of the brief being read on a worker that the window waits for (it
        #: set the busy cursor); a newer load, read there or at once, supersedes it.
        self._loading: int | None = None
        self._dark = False

        self.setObjectName("main_window")
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.actions_ = Actions(self)
        self.loader = BriefLoader(self)
        self.navigator = Navigator(self)
        self.reader = ReaderView(self)
        self.banner = Banner(self)
        self.notice = Banner(self)  # per-section notices (e.g. shown as plain text)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        self.breadcrumb = QLabel(right)
        self.breadcrumb.setObjectName("breadcrumb")
        self.breadcrumb.setAccessibleName("Where you are")
        self.breadcrumb.setTextFormat(Qt.TextFormat.PlainText)
        self.breadcrumb.setContentsMargins(8, 2, 8, 0)
        self.breadcrumb.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # Elided to the room it is given: its text must never make the window wider.
        self.breadcrumb.setMinimumWidth(1)
        self.breadcrumb.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Cut again whenever its room changes: the window's width, and a dock or the
        # section list taking width from the text.
        self.breadcrumb.installEventFilter(self)
        right_layout.addWidget(self.breadcrumb)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.notice)
        right_layout.addWidget(self.reader, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 980])
        self.navigator.setMinimumWidth(110)
        self.setCentralWidget(self.splitter)

        self.position_label = QLabel(self)
        self.zoom_label = QLabel(self)
        # A little air on either side, and on the right before the window's edge (or
        # its size grip); the zoom as wide as its widest value, so that it never jumps.
        for label in (self.position_label, self.zoom_label):
            label.setContentsMargins(4, 0, 8, 0)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.zoom_label.setMinimumWidth(
            self.zoom_label.fontMetrics().horizontalAdvance(f"{max(ZOOM_STEPS)} %") + 4 + 8)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.setAccessibleName("Loading")
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.position_label)
        self.statusBar().addPermanentWidget(self.zoom_label)

        self.note_taking: NoteTaking | None = None
        self.finding: Finding | None = None
        if notes is not None:
            self.note_taking = NoteTaking(self, notes, self.actions_, self.reader,
                                          self.navigator, self.banner)
            self.finding = Finding(self, notes, self.actions_, self.reader, self.navigator,
                                   paths=paths)
            right_layout.insertWidget(right_layout.indexOf(self.reader), self.finding.find_bar)
        else:
            for action in (self.actions_.find, self.actions_.find_next,
                           self.actions_.find_previous, self.actions_.search_everywhere,
                           self.actions_.show_library, self.actions_.preferences,
                           self.actions_.focus_notes, self.actions_.focus_library,
                           self.actions_.focus_results):
                action.setEnabled(False)
        self._build_menus()
        self._connect_signals()
        self._restore_state()

    # -- construction ----------------------------------------------------------------
    def _build_menus(self) -> None:
        a = self.actions_
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(a.open)
        file_menu.addAction(a.open_folder)
        self.recent_menu = QMenu("Open &Recent", self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(a.reload)
        if self.note_taking is not None:
            file_menu.addSeparator()
            for action in (a.export_notes, a.export_all_notes, a.import_notes, a.attach_notes,
                           a.print, a.export_pdf):
                file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(a.quit)

        edit_menu = bar.addMenu("&Edit")
        nt = self.note_taking
        if nt is not None:
            edit_menu.addAction(nt.undo_action)
            edit_menu.addAction(nt.redo_action)
            edit_menu.addSeparator()
        edit_menu.addAction(a.copy)
        edit_menu.addAction(a.select_all)
        if self.finding is not None:
            edit_menu.addSeparator()
            for action in (a.find, a.find_next, a.find_previous):
                edit_menu.addAction(action)
            edit_menu.addSeparator()
            edit_menu.addAction(a.preferences)

        if nt is not None:
            notes_menu = bar.addMenu("&Notes")
            notes_menu.addActions(list(a.highlight_colours.values()))
            notes_menu.addSeparator()
            for action in (a.edit_note, a.delete_highlight, a.add_comment, a.toggle_bookmark):
                notes_menu.addAction(action)
            notes_menu.addSeparator()
            for action in (a.show_notes, a.show_review, a.show_trash, a.show_bookmarks):
                notes_menu.addAction(action)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(a.zoom_in)
        view_menu.addAction(a.zoom_out)
        view_menu.addAction(a.zoom_reset)
        view_menu.addSeparator()
        view_menu.addAction(a.toggle_navigator)
        if self.finding is not None:
            view_menu.addAction(a.show_library)
            view_menu.addAction(a.search_everywhere)
        view_menu.addAction(a.close_panel)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("&Theme")
        theme_menu.addActions(a.theme_group.actions())

        go_menu = bar.addMenu("&Go")
        for action in (a.next_section, a.prev_section, a.first_section, a.last_section):
            go_menu.addAction(action)
        go_menu.addSeparator()
        go_menu.addAction(a.next_brief)
        go_menu.addAction(a.prev_brief)
        go_menu.addSeparator()
        go_menu.addAction(a.focus_navigator)
        go_menu.addAction(a.focus_reader)
        if nt is not None:
            go_menu.addAction(a.focus_notes)
        if self.finding is not None:
            go_menu.addAction(a.focus_library)
            go_menu.addAction(a.focus_results)

        # The section list's context menu: what can be done to the section shown.
        self.navigator.menu_actions = (
            [a.add_comment, a.toggle_bookmark, None] if nt is not None else []
        ) + [a.next_section, a.prev_section]

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(a.shortcuts)
        help_menu.addAction(a.about)
        # Shortcuts must work even when the menu bar is hidden or native. Delete is the
        # reader's own (elsewhere it edits text).
        self.addActions([x for x in a.all() if x is not a.delete_highlight])
        self._rebuild_recent_menu()

    def _connect_signals(self) -> None:
        a = self.actions_
        a.open.triggered.connect(self.on_open_triggered)
        a.open_folder.triggered.connect(self.on_open_folder_triggered)
        a.reload.triggered.connect(self.reload)
        a.quit.triggered.connect(self.close)
        a.clear_recent.triggered.connect(self.on_clear_recent_triggered)
        a.next_section.triggered.connect(lambda: self.step_section(+1))
        a.prev_section.triggered.connect(lambda: self.step_section(-1))
        a.first_section.triggered.connect(lambda: self.go_to_index(0))
        a.last_section.triggered.connect(lambda: self.go_to_index(-1))
        a.next_brief.triggered.connect(lambda: self.step_brief(+1))
        a.prev_brief.triggered.connect(lambda: self.step_brief(-1))
        a.focus_navigator.triggered.connect(self.navigator.tree.setFocus)
        a.focus_reader.triggered.connect(self.reader.setFocus)
        a.zoom_in.triggered.connect(self.reader.zoom_in)
        a.zoom_out.triggered.connect(self.reader.zoom_out)
        a.zoom_reset.triggered.connect(lambda: self.reader.set_zoom(100))
        for action in (a.zoom_in, a.zoom_out, a.zoom_reset):
            action.triggered.connect(self._update_status)
        a.toggle_navigator.toggled.connect(self.navigator.setVisible)
        a.theme_group.triggered.connect(self.on_theme_triggered)
        a.copy.triggered.connect(self.copy)
        a.select_all.triggered.connect(self.select_all)
        a.context_menu.triggered.connect(self.show_context_menu)
        a.close_panel.triggered.connect(self.close_panel)
        a.shortcuts.triggered.connect(self.show_shortcuts)
        a.about.triggered.connect(self.show_about)

        self.navigator.section_activated.connect(self.show_section)
        self.navigator.brief_chosen.connect(lambda p: self.open_path(Path(p)))
        self.reader.anchor_requested.connect(self.on_anchor_requested)
        self.reader.external_link_requested.connect(self.on_external_link_requested)
        self.reader.notice_changed.connect(self.on_notice_changed)
        self.reader.copyAvailable.connect(self._on_copy_available)
        # (A method of the window: the connection goes with it.)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self.loader.started.connect(self.on_load_started)
        self.loader.finished.connect(self.on_load_finished)
        self._notes_prepared.connect(self.on_notes_prepared)
        if self.note_taking is not None:
            self.note_taking.exchange.notes_attached.connect(self.on_notes_attached)
        self.banner.action_triggered.connect(self.on_banner_action)
        QApplication.styleHints().colorSchemeChanged.connect(self.on_system_scheme_changed)

    def _restore_state(self) -> None:
        s = self.settings
        if s.geometry is not None:
            self.restoreGeometry(s.geometry)
        else:
            self._first_run_geometry()
        if s.window_state is not None:
            self.restoreState(s.window_state)
        if s.splitter is not None:
            self.splitter.restoreState(s.splitter)
        self.reader.set_base_font(s.reader_font_family, s.reader_font_size)
        self.reader.set_zoom(s.zoom)
        self.actions_.toggle_navigator.setChecked(s.navigator_visible)
        self.navigator.setVisible(s.navigator_visible)
        for action in self.actions_.theme_group.actions():
            action.setChecked(action.data() == s.theme)
        self.apply_theme(s.theme)
        self._update_status()

    def _first_run_geometry(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            self.resize(1200, 780)
        elif screen.width() <= 1440 or screen.height() <= 900:
            self.resize(screen.size())
            self.setWindowState(Qt.WindowState.WindowMaximized)
        else:
            self.resize(min(1400, int(screen.width() * 0.8)), min(960, int(screen.height() * 0.85)))
            self.move(screen.center() - self.rect().center())
        # The text gets most of the room, whatever the screen: side panes take a share.
        width = self.width()
        self.splitter.setSizes([max(150, min(300, int(width * 0.2))), width])
        if self.note_taking is not None:
            dock = self.note_taking.docks["notes"]
            self.resizeDocks([dock], [max(220, min(380, int(width * 0.27)))],
                             Qt.Orientation.Horizontal)

    def save_state(self) -> None:
        s = self.settings
        s.geometry = self.saveGeometry()
        s.window_state = self.saveState()
        s.splitter = self.splitter.saveState()
        s.zoom = self.reader.zoom
        s.navigator_visible = self.actions_.toggle_navigator.isChecked()
        section = self.reader.section.id if self.reader.section else None
        s.set_session(
            str(self.opened_path) if self.opened_path else None,
            str(self.brief.path) if self.brief and self.brief.path else None,
            section,
        )
        s.sync()

    # -- opening ---------------------------------------------------------------------
    def open_initial(self, path: Path | None) -> None:
        """What to show at start: the path given, else the last session, else the samples."""
        if path is not None:
            self.open_path(path)
            return
        last = self.settings.last_path
        last_brief = self.settings.last_brief
        if last and Path(last).exists():
            target = Path(last_brief) if last_brief and Path(last_brief).exists() else None
            self.open_path(Path(last), brief=target, section=self.settings.last_section)
        elif self.default_library is not None:
            self.open_path(self.default_library)
        else:
            self.banner.show_message(
                "No brief is open. Use File → Open (Ctrl+O) or drop a brief here.", "info"
            )

    def open_path(self, path: Path, *, brief: Path | None = None, section: str | None = None,
                  encoding: str | None = None) -> None:
        path = Path(path).expanduser()
        with contextlib.suppress(OSError):
            path = path.resolve()
        if path.is_dir():
            try:
                briefs = find_briefs(path)
            except (OSError, BriefreaderError) as exc:
                self.show_error(f"Could not read the folder {path}: {exc}")
                return
            if not briefs:
                self.show_error(f"There are no briefs (.md, .txt) in {path}.")
                return
            self.opened_path = path
            self.folder_briefs = briefs
            target = brief if brief in briefs else None
            if target is None:
                last = self.settings.last_brief
                target = Path(last) if last and Path(last) in briefs else briefs[0]
            self._load_file(target, section=section, encoding=encoding)
        else:
            if self.opened_path is None or not (
                self.opened_path.is_dir() and path.parent == self.opened_path
            ):
                self.opened_path = path
                self.folder_briefs = []
            self._load_file(path, section=section, encoding=encoding)

    def _load_file(self, path: Path, *, section: str | None, encoding: str | None) -> None:
        self._pending_path = path
        # Asked for, or else (without a notes store, which keeps the reading position)
        # the section last read in this file.
        self._pending_section = section
        if section is None and self.finding is None:
            self._pending_section = self.settings.section_for(str(path))
        self.loader.load(path, encoding=encoding)

    def reload(self) -> None:
        if self.brief is not None and self.brief.path is not None:
            current = self.reader.section.id if self.reader.section else None
            self.reader.forget_brief(self.brief)
            self._load_file(self.brief.path, section=current, encoding=None)

    def on_load_started(self, ticket: int, path: str) -> None:
        if self._loading is None:  # (one busy cursor, however many loads in a row)
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self._loading = ticket  # an older load's brief will be dropped: not waited for
        self.progress.show()
        self.statusBar().showMessage(f"Opening {Path(path).name}…")

    def on_load_finished(self, ticket: int, brief: Brief | None, error) -> None:
        # The load waited for ended, or a newer one (a small brief, read at once)
        # superseded it; an older load's end changes nothing.
        if self._loading is not None and (ticket == self._loading
                                          or self.loader.is_current(ticket)):
            self._loading = None
            QApplication.restoreOverrideCursor()
            self._progress_ended()
        if not self.loader.is_current(ticket):
            return
        path = self._pending_path
        if brief is None:
            if isinstance(error, EncodingError) and path is not None:
                self._encoding_retry = path
                self.banner.show_message(
                    str(error), "error", action="reopen-cp1252",
                    action_label="Open as Windows-1252",
                )
            else:
                self.show_error(str(error))
            return
        section = self._pending_section
        if self.finding is not None:
            section = self.finding.section_to_open(brief, section)
        self.show_brief(brief, section=section)
        if self.opened_path is not None:
            self.settings.add_recent(str(self.opened_path))
            self._rebuild_recent_menu()

    def show_brief(self, brief: Brief, *, section: str | None = None) -> None:
        if self.brief is not None and self.brief is not brief:
            if self.finding is not None:
                self.finding.brief_leaving()
            self.reader.forget_brief(self.brief)
        self.brief = brief
        self.banner.hide()
        self.setWindowTitle(f"{brief.title} — {APP_TITLE}")
        self.navigator.set_brief(brief)
        if self.folder_briefs:
            entries = [(_file_label(p), str(p)) for p in self.folder_briefs]
            self.navigator.set_folder_briefs(entries, str(brief.path))
        else:
            self.navigator.set_folder_briefs([], None)
        if not brief.sections:
            self.reader.clear()
            self.banner.show_message("This brief has no text to show.", "info")
            self._update_status()
            return
        if self.note_taking is not None:
            self._open_notes(brief)
        ids = {s.id for s in brief.sections}
        self.show_section(section if section in ids else brief.sections[0].id)
        self.reader.warm(brief)
        if self.finding is not None:
            self.finding.brief_shown(brief)
        focus = QApplication.focusWidget()
        if focus is None or focus is self.navigator.tree or not self.isAncestorOf(focus):
            self.reader.setFocus()  # ready to read and select with the keyboard

    def _open_notes(self, brief: Brief) -> None:
        """Notes of a new or changed brief need every section's text, and those of a
        changed one placing again: for a big brief or many notes that is done on a
        worker thread while the first section is already shown."""
        nt = self.note_taking
        notes = nt.annotations.notes
        try:
            # (Texts rendered already still leave notes to place when another brief's
            # were attached to this one.)
            prepare_first = (notes.needs_texts(brief) and is_big(brief)) or (
                notes.notes_to_place(brief) >= PLACE_ON_A_WORKER)
        except BriefreaderError:
            prepare_first = False  # opening the notes will say what is wrong
        if not prepare_first:
            self._prepared(None)  # another brief's, being prepared, no longer shown
            unshown = self._unshown_report(brief)
            if unshown is None:
                nt.open_brief(brief)
            else:  # placed by a worker while another brief was shown: say so now
                nt.open_brief(brief, placed=unshown[1], prepared=unshown[0])
            return
        placed = nt.comment_places(brief)  # before the worker moves them
        nt.close_brief("Preparing the notes of this brief…")
        self.statusBar().showMessage("Preparing notes for this brief…")
        self.progress.show()
        self._preparing = brief

        def prepare() -> None:
            report = None
            try:
                report = notes.prepare(brief)
            finally:  # the notes open however it went: sync() says what went wrong
                self._notes_prepared.emit(brief, report, placed)

        threading.Thread(target=prepare, daemon=True, name="notes-prepare").start()

    def on_notes_attached(self, source: StoredBrief, notes: list[str]) -> None:
        """Notes of another brief were given to the brief shown: place and show them
        (on a worker when there are many), as when a changed brief opens."""
        brief = self.brief
        if brief is None or self.note_taking is None:
            return
        self.note_taking.notes_attached(source, notes)
        self._open_notes(brief)
        section = self.reader.section
        if self._preparing is None and section is not None:
            self.reader.set_spans(self.note_taking.spans_for(section.id))
            self.note_taking.section_shown(section)

    def on_notes_prepared(self, brief: Brief, report: SyncReport | None,
                          placed: dict[str, str | None]) -> None:
        self._prepared(brief)
        if brief is self.brief and self.note_taking is not None:
            if report is None or not report.reanchored:
                # Another worker, for this version opened before, may have placed them.
                unshown = self._unshown_report(brief)
                if unshown is not None:
                    report, placed = unshown
            self.note_taking.open_brief(brief, placed=placed, prepared=report)
            if self.reader.section is not None:
                self.reader.set_spans(self.note_taking.spans_for(self.reader.section.id))
                self.note_taking.section_shown(self.reader.section)
        elif report is not None and report.reanchored:
            nt, shown = self.note_taking, self.brief
            if (nt is not None and shown is not None and nt.annotations.brief is shown
                    and shown.content_hash == brief.content_hash
                    and nt.annotations.open_key() == report.brief_key):
                # Loaded again meanwhile, and that load found the notes placed: this
                # version is shown with its notes, so what happened is said now.
                nt.say_placed(report)
                return
            # The notes were placed and stored, but the brief was left (or loaded
            # again) meanwhile: what happened is said when this version next opens.
            self._unshown_reports[report.brief_key] = (brief.content_hash, report, placed)

    def _prepared(self, brief: Brief | None) -> None:
        """The notes of ``brief`` (None: of any) are no longer being prepared for the
        window: their progress bar and message go."""
        if self._preparing is not None and brief in (None, self._preparing):
            self._preparing = None
            self._progress_ended()

    def _progress_ended(self) -> None:
        """A load or a preparing ended: the progress bar and message stay for what is
        still under way (a brief being read, the notes of the brief shown)."""
        if self._loading is not None:
            return
        if self._preparing is not None:
            self.progress.show()
            self.statusBar().showMessage("Preparing notes for this brief…")
        else:
            self.progress.hide()
            self.statusBar().clearMessage()

    def _unshown_report(self, brief: Brief) -> tuple[SyncReport, dict[str, str | None]] | None:
        try:
            key = brief_key(brief)
        except BriefreaderError:
            return None
        entry = self._unshown_reports.pop(key, None)
        if entry is None or entry[0] != brief.content_hash:
            return None
        return entry[1], entry[2]

    def show_section(self, section_id: str) -> None:
        if self.brief is None:
            return
        try:
            section = self.brief.section(section_id)
        except KeyError:
            return
        if self.reader.section is section and self.reader.brief is self.brief:
            return
        nt = self.note_taking
        spans = nt.spans_for(section_id) if nt is not None else ()
        self.reader.show_section(self.brief, section, spans)
        if nt is not None:
            nt.section_shown(section)
        if self.finding is not None:
            self.finding.section_shown(section)
        i = self.brief.index_of(section_id)
        self.reader.prefetch(self.brief, list(self.brief.sections[i + 1 : i + 3])
                             + list(self.brief.sections[max(0, i - 1) : i]))
        self.navigator.select_section(section_id)
        if self.brief.path is not None and self.finding is None:
            self.settings.remember_section(str(self.brief.path), section_id)
        self._update_breadcrumb()
        self._update_status()

    def _update_breadcrumb(self) -> None:
        section = self.reader.section
        if self.brief is None or section is None:
            self.breadcrumb.clear()
            return
        trail = []
        parent = section.parent
        while parent:
            p = self.brief.section(parent)
            trail.insert(0, p.title)
            parent = p.parent
        # The top heading often repeats the brief's title: say it once.
        if trail and trail[0].casefold().strip() == self.brief.title.casefold().strip():
            trail.pop(0)
        parts = [self.brief.title, *trail]
        width = max(40, self.breadcrumb.width() - 20)
        self.breadcrumb.setText(fit_trail(parts, self.breadcrumb.fontMetrics(), width))
        self.breadcrumb.setToolTip(TRAIL_SEPARATOR.join(parts))

    def show_error(self, message: str) -> None:
        self.banner.show_message(message, "error")

    # -- navigation ------------------------------------------------------------------
    def step_section(self, delta: int) -> None:
        if self.brief is None or self.reader.section is None:
            return
        i = self.brief.index_of(self.reader.section.id) + delta
        if 0 <= i < len(self.brief.sections):
            self.show_section(self.brief.sections[i].id)

    def go_to_index(self, index: int) -> None:
        if self.brief is not None and self.brief.sections:
            self.show_section(self.brief.sections[index].id)

    def step_brief(self, delta: int) -> None:
        if not self.folder_briefs or self.brief is None or self.brief.path is None:
            return
        try:
            i = self.folder_briefs.index(self.brief.path) + delta
        except ValueError:
            return
        if 0 <= i < len(self.folder_briefs):
            self._load_file(self.folder_briefs[i], section=None, encoding=None)

    def on_anchor_requested(self, fragment: str) -> None:
        if self.brief is None:
            return
        if self.reader.scroll_to_fragment(fragment):
            return
        if any(s.id == fragment for s in self.brief.sections):
            self.show_section(fragment)
            return
        self.statusBar().showMessage(f"No place called “{fragment}” in this brief.", 4000)

    def on_external_link_requested(self, url: str) -> None:
        if confirm_external_link(self, url):
            QDesktopServices.openUrl(QUrl(url))

    def on_notice_changed(self, text: str) -> None:
        if text:
            self.notice.show_message(text, "warning")
        else:
            self.notice.hide()

    # -- file menu -------------------------------------------------------------------
    def _brief_path(self) -> Path | None:
        return self.brief.path if self.brief is not None else None

    def on_open_triggered(self) -> None:
        path = file_dialogs.ask_brief(self, str(self.dialog_folders.start(BRIEFS)))
        if path:
            self.dialog_folders.remember(BRIEFS, path)
            self.open_path(Path(path))

    def on_open_folder_triggered(self) -> None:
        path = file_dialogs.ask_briefs_folder(self, str(self.dialog_folders.start(BRIEFS)))
        if path:
            self.dialog_folders.remember(BRIEFS, path)
            self.open_path(Path(path))

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent
        for i, path in enumerate(recent):
            label = f"&{i + 1} {Path(path).name}" if i < 9 else Path(path).name
            action = self.recent_menu.addAction(label)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(Path(p)))
        if recent:
            self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.actions_.clear_recent)
        self.actions_.clear_recent.setEnabled(bool(recent))

    def on_clear_recent_triggered(self) -> None:
        self.settings.clear_recent()
        self._rebuild_recent_menu()

    def on_banner_action(self, action: str) -> None:
        if action == "reopen-cp1252" and getattr(self, "_encoding_retry", None):
            self._load_file(self._encoding_retry, section=None, encoding=FALLBACK_ENCODING)

    # -- drag and drop ---------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and any(
            u.isLocalFile() for u in event.mimeData().urls()
        ):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            if url.isLocalFile():
                event.acceptProposedAction()
                self.open_path(Path(url.toLocalFile()))
                return
        event.ignore()

    # -- view ------------------------------------------------------------------------
    def apply_theme(self, mode: str) -> None:
        self._dark = apply_theme(QApplication.instance(), mode)
        self.reader.set_dark(self._dark)
        self.banner.set_dark(self._dark)
        self.notice.set_dark(self._dark)
        if self.note_taking is not None:
            self.note_taking.set_dark(self._dark)
        if self.finding is not None:
            self.finding.refresh_marks()

    def on_theme_triggered(self, action) -> None:
        self.settings.theme = action.data()
        self.apply_theme(action.data())

    def on_system_scheme_changed(self, _scheme) -> None:
        if self.settings.theme == "system":
            self.apply_theme("system")

    def _update_status(self) -> None:
        if self.brief is not None and self.reader.section is not None:
            i = self.brief.index_of(self.reader.section.id)
            self.position_label.setText(f"Section {i + 1} of {len(self.brief.sections)}")
        else:
            self.position_label.setText("")
        self.zoom_label.setText(f"{self.reader.zoom} %")

    def _on_copy_available(self, _available: bool) -> None:
        self._update_copy()

    def _on_focus_changed(self, _old: QWidget | None, _now: QWidget | None) -> None:
        self._update_copy()

    def _update_copy(self) -> None:
        """Copy is there for text selected in the brief, or for a list with the
        keyboard (its chosen rows)."""
        if not shiboken6.isValid(self):  # (the window being taken down)
            return
        widget = QApplication.focusWidget()
        self.actions_.copy.setEnabled(isinstance(widget, QAbstractItemView)
                                      or self.reader.textCursor().hasSelection())

    def copy(self) -> None:
        """Ctrl+C: the rows chosen in a list while it has the keyboard (as they read
        there, one a line), else the text selected in the brief. (Fields and note
        editors take Ctrl+C first.)"""
        widget = QApplication.focusWidget()
        if isinstance(widget, QAbstractItemView) and widget.selectionModel() is not None:
            chosen = [i for i in widget.selectionModel().selectedIndexes() if i.column() == 0]
            chosen.sort(key=lambda i: widget.visualRect(i).top())
            texts = [str(i.data() or "") for i in chosen]
            if texts:
                QApplication.clipboard().setText("\n".join(texts))
            return
        self.reader.copy()

    def select_all(self) -> None:
        """Ctrl+A: every row of a list that takes several (the Trash) while it has the
        keyboard, else the brief's text. (Fields and note editors take Ctrl+A first.)"""
        widget = QApplication.focusWidget()
        if isinstance(widget, QAbstractItemView) and widget.selectionMode() in (
                QAbstractItemView.SelectionMode.ExtendedSelection,
                QAbstractItemView.SelectionMode.MultiSelection):
            widget.selectAll()
        else:
            self.reader.selectAll()

    def show_context_menu(self) -> None:
        """Shift+F10: the context menu of the widget with the keyboard focus (the text,
        a note's editor, a field…), where its text cursor or current item is: what Qt
        does for the Menu key, which some keyboards lack."""
        widget = QApplication.focusWidget()
        owner = widget
        while owner is not None and owner is not self:  # (in a floating dock too)
            owner = owner.parentWidget()
        if widget is None or owner is None or not widget.isEnabled():
            return
        cursor = widget.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle)
        if isinstance(cursor, QRectF):
            cursor = cursor.toRect()
        pos = cursor.center() if isinstance(cursor, QRect) else widget.rect().center()
        QApplication.sendEvent(widget, QContextMenuEvent(
            QContextMenuEvent.Reason.Keyboard, pos, widget.mapToGlobal(pos)))

    def shortcut_actions(self) -> list[QAction]:
        """Every command that may have keys: the window's, Undo and Redo, and the
        panels' own (the Trash's, the Library's…)."""
        actions = list(self.actions_.all())
        if self.note_taking is not None:
            actions += [self.note_taking.undo_action, self.note_taking.redo_action]
        return actions + [a for a in self.findChildren(QAction)
                          if a.property(SCOPE_PROPERTY) and a not in actions]

    def close_panel(self) -> None:
        """View → Close Panel (Ctrl+W): the dock with the keyboard focus closes (as its
        ✕ does), and the text has the keyboard again."""
        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        if widget is None or widget.parentWidget() is not self:
            self.statusBar().showMessage(
                "Ctrl+W closes the panel with the keyboard focus: Alt+3, Alt+4 or Alt+5 go"
                " into one.", 4000)
            return
        widget.close()
        self.reader.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.shortcut_actions(), self, extra=KEYS_ELSEWHERE).exec()

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About briefreader",
            f"<h3>briefreader {__version__}</h3><p>Read briefs offline; highlight, annotate "
            "and export your notes. Nothing leaves this machine unless you export it.</p>",
        )

    # -- lifecycle -------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.note_taking is not None:
            if self.note_taking.exchange.finishing:  # closing already, once it is done
                event.ignore()
                return
            # The last words typed are saved before anything else.
            if not self.note_taking.can_close():
                event.ignore()
                return
            self.note_taking.shutdown()
        if self.finding is not None:
            self.finding.shutdown()
        self.save_state()
        super().closeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # The text column depends on the final viewport width.
        QTimer.singleShot(0, self.reader.refresh_measure)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildPolished and isinstance(event.child(), QTabBar):
            bar = event.child()
            bar.installEventFilter(self)
            self._tab_bar_moved(bar)
        return super().event(event)

    def eventFilter(self, watched, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.breadcrumb and event.type() == QEvent.Type.Resize:
            self._update_breadcrumb()
        if isinstance(watched, QTabBar) and event.type() in (QEvent.Type.Move, QEvent.Type.Show):
            self._tab_bar_moved(watched)
        return super().eventFilter(watched, event)

    def _tab_bar_moved(self, bar: QTabBar) -> None:
        """The tabs of docks put together (Notes, Review, Trash…) take the keyboard
        while they are in the window. Qt keeps an unused bar out of sight: Tab or
        Shift+Tab landed there, the focus then nowhere to be seen."""
        shown = self.rect().intersects(bar.geometry())
        bar.setFocusPolicy(Qt.FocusPolicy.TabFocus if shown else Qt.FocusPolicy.NoFocus)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_breadcrumb()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        # Escape that nothing with the focus took (the find bar's goes first): the
        # message above the text is dismissed, then the section's notice.
        if (event.key() == Qt.Key.Key_Escape
                and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and (self.banner.dismiss() or self.notice.dismiss())):
            return
        super().keyPressEvent(event)
