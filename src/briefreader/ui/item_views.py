"""What the list views (library, bookmarks, trash) share: roomy rows, one way of
setting up a flat, read-only, single-selection tree, the label shown when empty, and
their commands: keys of the list's own, and the same commands in its context menu."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QContextMenuEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QTreeView,
    QWidget,
)


class RoomyDelegate(QStyledItemDelegate):
    """Rows a little taller than the text (``AIR`` pixels), so a row's button is not
    squeezed and a list is easy to read."""

    AIR = 8

    def sizeHint(self, option, index):  # noqa: N802 - Qt override
        size = super().sizeHint(option, index)
        size.setHeight(size.height() + self.AIR)
        return size

    def initStyleOption(self, option, index) -> None:  # noqa: N802 - Qt override
        super().initStyleOption(option, index)
        widget = option.widget
        if (option.state & QStyle.StateFlag.State_Selected and widget is not None
                and not widget.hasFocus()):
            # The list without the keyboard shows its selection muted, as desktop lists
            # do: where the keyboard is can be seen at a glance.
            palette = option.palette
            base = palette.color(QPalette.ColorRole.Base)
            strong = palette.color(QPalette.ColorRole.Highlight)
            muted = QColor.fromRgbF(*(0.6 * b + 0.4 * s for b, s in zip(
                base.getRgbF()[:3], strong.getRgbF()[:3], strict=True)))
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                palette.setColor(group, QPalette.ColorRole.Highlight, muted)
                palette.setColor(group, QPalette.ColorRole.HighlightedText,
                                 palette.color(group, QPalette.ColorRole.Text))
            option.palette = palette


def set_up_flat_tree(
    tree: QTreeView,
    *,
    name: str,
    delegate: QStyledItemDelegate,
    resize_modes: Mapping[int, QHeaderView.ResizeMode],
    widths: Mapping[int, int] | None = None,
) -> None:
    """A table-like tree: no root decoration, whole rows selected one at a time, not
    editable by clicking, long text elided; each column resized as ``resize_modes`` says
    (set the columns or the model first), with ``widths`` for the interactive ones."""
    tree.setAccessibleName(name)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAllColumnsShowFocus(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    tree.setTextElideMode(Qt.TextElideMode.ElideRight)
    tree.setItemDelegate(delegate)
    header = tree.header()
    header.setStretchLastSection(False)
    for column, mode in resize_modes.items():
        header.setSectionResizeMode(column, mode)
    for column, width in (widths or {}).items():
        tree.setColumnWidth(column, width)


def add_docks(
    window: QMainWindow, docks: Sequence[tuple[str, str, QWidget, Qt.DockWidgetArea]]
) -> dict[str, QDockWidget]:
    """Dock each (name, title, widget, area) in the window, on either side; the name
    keys the dock's place in the saved window layout."""
    out: dict[str, QDockWidget] = {}
    for name, title, widget, area in docks:
        dock = QDockWidget(title, window)
        dock.setObjectName(f"{name}_dock")  # saveState/restoreState key
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea
                             | Qt.DockWidgetArea.RightDockWidgetArea)
        window.addDockWidget(area, dock)
        out[name] = dock
    return out


def empty_state_label(text: str, name: str, parent: QWidget) -> QLabel:
    """The dim, centred label a view shows in place of an empty list."""
    label = QLabel(text, parent)
    label.setAccessibleName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def told_apart(briefs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(title, path) of briefs → for each path whose title another path has too, what
    tells it apart: its folder's name, or where two share that, folder and file name,
    or else its whole path. Paths whose title is their own are left out."""
    by_title: dict[str, set[str]] = {}
    for title, path in briefs:
        by_title.setdefault(title, set()).add(path)
    out: dict[str, str] = {}
    for paths in by_title.values():
        if len(paths) < 2:
            continue
        for label in (lambda p: p.parent.name, lambda p: f"{p.parent.name}/{p.name}",
                      lambda p: str(p)):
            labels = {path: label(Path(path)) or path for path in paths}
            if len(set(labels.values())) == len(paths):
                out.update(labels)
                break
    return out


#: A panel's own command's dynamic property: where its keys work, for the Keyboard
#: Shortcuts dialog ("the Trash" lists "Restore (in the Trash)").
SCOPE_PROPERTY = "shortcut_scope"
#: A command's name in that dialog when its text changes (Undo says what it undoes).
NAME_PROPERTY = "shortcut_name"


def view_action(widget: QWidget, text: str, keys: Sequence[str | QKeySequence.StandardKey],
                tip: str, slot: Callable[[], object], *, scope: str,
                context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetShortcut) -> QAction:
    """A command of one list (or card): its keys work while ``widget`` has the keyboard
    focus (with ``WidgetWithChildrenShortcut``, or something in it), not elsewhere
    (Delete edits text in a field); its menu shows the first (give "Enter" before
    "Return": the one people call it). Name keys ("Del"), not standard keys: X11's
    Delete is Ctrl+D too, the window's Bookmark Section, and two commands on one key
    in one place are ambiguous to Qt: neither works."""
    action = QAction(text, widget)
    sequences: list[QKeySequence] = []
    for key in keys:
        if isinstance(key, QKeySequence.StandardKey):
            sequences.extend(QKeySequence.keyBindings(key))
        else:
            sequences.append(QKeySequence(key))
    action.setShortcuts(list({k.toString(): k for k in sequences if not k.isEmpty()}.values()))
    action.setShortcutContext(context)
    action.setShortcutVisibleInContextMenu(True)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.setProperty(SCOPE_PROPERTY, scope)
    action.triggered.connect(lambda _=False: slot())
    widget.addAction(action)
    return action


def with_keys(tip: str, action: QAction) -> str:
    """A button's tooltip that says the key of its command: "Restore the note (Enter)"."""
    key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{tip} ({key})" if key else tip


class ListMenu(QObject):
    """The context menu of an item view: a right-click opens it at the mouse, on the row
    there (which becomes the current one); the Menu key and Shift+F10 at the current
    row, scrolled into view. ``commands`` gives the menu's actions (None: a separator),
    made enabled or not for the current row before they are shown; none, no menu."""

    def __init__(self, view: QAbstractItemView,
                 commands: Callable[[], Sequence[QAction | None]]) -> None:
        super().__init__(view)
        self.view = view
        self._commands = commands
        self.menu: QMenu | None = None  # the last one shown
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.ContextMenu and isinstance(event, QContextMenuEvent)
                and watched in (self.view, self.view.viewport())):
            self.open(event.reason() == QContextMenuEvent.Reason.Keyboard,
                      event.pos() if watched is self.view.viewport()
                      else self.view.viewport().mapFrom(self.view, event.pos()))
            return True
        return super().eventFilter(watched, event)

    def open(self, from_keyboard: bool, pos: QPoint | None = None) -> QMenu | None:
        """Show the menu: at ``pos`` of the viewport, or at the current row."""
        view = self.view
        commands = list(self._commands())
        if not any(commands):
            return None
        if not from_keyboard and pos is not None:
            index = view.indexAt(pos)
            if index.isValid() and index != view.currentIndex():
                view.setCurrentIndex(index)
        else:
            index = view.currentIndex()
            if index.isValid():
                view.scrollTo(index)
                pos = view.visualRect(index).center()
            else:
                pos = view.viewport().rect().topLeft() + QPoint(8, 8)
        if self.menu is not None:
            self.menu.deleteLater()  # the last one, closed by now
        menu = self.menu = QMenu(view)
        menu.setAccessibleName(f"{view.accessibleName()} menu")
        for action in commands:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.popup(view.viewport().mapToGlobal(pos))
        return menu
