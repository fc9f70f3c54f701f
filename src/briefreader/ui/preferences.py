"""The preferences dialog: author, library folders, colour labels, theme, reader font,
backups kept.

The dialog edits a :class:`Preferences` value and hands it back; the window reads
it from Settings and the store, and saves what changed. Nothing here saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFontComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from briefreader.highlight_paint import colour_for
from briefreader.records import COLORS, DEFAULT_LABELS
from briefreader.settings import BACKUPS_KEPT, DEFAULT_FONT_SIZE, FONT_SIZES
from briefreader.store import KEEP_BACKUPS
from briefreader.ui.file_dialogs import BRIEFS, DialogFolders
from briefreader.ui.theme import palette_is_dark

THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


@dataclass(frozen=True)
class Preferences:
    author: str = ""
    """Name put on new notes; empty means the system user name."""
    library_folders: tuple[str, ...] = ()
    color_labels: tuple[tuple[str, str], ...] = tuple(DEFAULT_LABELS.items())
    """(colour, label) for each of store.COLORS, in that order."""
    theme: str = "system"
    font_family: str = ""
    """Reader font; empty means the style sheet's default."""
    font_size: int = DEFAULT_FONT_SIZE
    keep_backups: int = KEEP_BACKUPS

    def label(self, color: str) -> str:
        return dict(self.color_labels).get(color, DEFAULT_LABELS.get(color, color))


def choose_folder(parent: QWidget, start: str = "") -> str | None:
    """Ask for a folder to add to the library. Tests replace this function."""
    path = QFileDialog.getExistingDirectory(parent, "Add a Folder of Briefs", start)
    return path or None


def add_folder_asked(parent: QWidget, folders: DialogFolders | None) -> str | None:
    """Ask for a folder to add to the library, starting in the folder of briefs last
    used (else the home folder), and remember the one chosen as such."""
    start = folders.start(BRIEFS, beside_brief=False) if folders is not None else Path.home()
    folder = choose_folder(parent, str(start))
    if folder and folders is not None:
        folders.remember(BRIEFS, folder)
    return folder


def _swatch(color: str, dark: bool) -> QIcon:
    """The colour the reader paints this highlight in, in the current theme."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(colour_for(color, dark))
    return QIcon(pixmap)


class PreferencesDialog(QDialog):
    preferences_applied = Signal(object)
    """A :class:`Preferences`, when the user presses OK or Apply."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None, *,
                 default_author: str = "", folders: DialogFolders | None = None) -> None:
        super().__init__(parent)
        self._folders = folders  # where Add Folder starts, and what it remembers
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(520)

        tabs = QTabWidget(self)
        tabs.addTab(self._notes_tab(prefs, default_author), "&Notes")
        tabs.addTab(self._library_tab(prefs), "&Library")
        tabs.addTab(self._appearance_tab(prefs), "A&ppearance")  # (Alt+A: Author, Add)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        self.buttons = buttons
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self.restore_defaults
        )
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)

    # -- tabs --------------------------------------------------------------------------
    def _notes_tab(self, prefs: Preferences, default_author: str) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.author_edit = QLineEdit(prefs.author, page)
        self.author_edit.setPlaceholderText(default_author or "your name")
        self.author_edit.setToolTip("Put on every note and comment you write")
        form.addRow("&Author name:", self.author_edit)
        self.label_edits: dict[str, QLineEdit] = {}
        dark = palette_is_dark(self.palette())
        for color in COLORS:
            edit = QLineEdit(prefs.label(color), page)
            edit.setAccessibleName(f"Label for {color}")
            edit.setPlaceholderText(DEFAULT_LABELS[color])
            # The colour's swatch inside the field, at its start: beside it, it pushed
            # these fields right of the others in the form.
            swatch = edit.addAction(_swatch(color, dark),
                                    QLineEdit.ActionPosition.LeadingPosition)
            swatch.setToolTip(f"Highlights in {color} look like this in the reader")
            form.addRow(f"{color.capitalize()} label:", edit)
            self.label_edits[color] = edit
        self.backups_spin = QSpinBox(page)
        self.backups_spin.setRange(*BACKUPS_KEPT)
        self.backups_spin.setValue(prefs.keep_backups)
        self.backups_spin.setToolTip("Verified copies of the notes database, newest kept")
        form.addRow("Backups &kept:", self.backups_spin)
        return page

    def _library_tab(self, prefs: Preferences) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        intro = QLabel("Briefs in these folders appear in the library; new ones appear as "
                       "they are saved.", page)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.folder_list = QListWidget(page)
        self.folder_list.setAccessibleName("Library folders")
        self.folder_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for folder in prefs.library_folders:
            self._add_folder_item(folder)
        layout.addWidget(self.folder_list, 1)
        row = QHBoxLayout()
        self.add_folder_button = QPushButton("&Add Folder…", page)
        self.remove_folder_button = QPushButton("&Remove", page)
        row.addWidget(self.add_folder_button)
        row.addWidget(self.remove_folder_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.add_folder_button.clicked.connect(self.on_add_folder_clicked)
        self.remove_folder_button.clicked.connect(self.on_remove_folder_clicked)
        self.folder_list.itemSelectionChanged.connect(self._update_buttons)
        # Delete in the list as its Remove button.
        remove = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.folder_list,
                           self.on_remove_folder_clicked)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_folder_button.setToolTip("Remove the chosen folders from the library (Del)")
        self._update_buttons()
        return page

    def _appearance_tab(self, prefs: Preferences) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.theme_combo = QComboBox(page)
        for value, text in THEMES:
            self.theme_combo.addItem(text, value)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(prefs.theme)))
        form.addRow("&Theme:", self.theme_combo)
        self.default_font_box = QComboBox(page)
        self.font_combo = QFontComboBox(page)
        self.font_combo.setAccessibleName("Reader font")
        if prefs.font_family:
            self.font_combo.setCurrentFont(QFont(prefs.font_family))
        self.default_font_box.addItems(["Default font", "Choose a font"])
        self.default_font_box.setCurrentIndex(1 if prefs.font_family else 0)
        self.font_combo.setEnabled(bool(prefs.font_family))
        self.default_font_box.currentIndexChanged.connect(
            lambda i: self.font_combo.setEnabled(i == 1)
        )
        form.addRow("Reader &font:", self.default_font_box)
        form.addRow("", self.font_combo)
        self.size_spin = QSpinBox(page)
        self.size_spin.setRange(*FONT_SIZES)
        self.size_spin.setValue(prefs.font_size)
        self.size_spin.setSuffix(" pt")
        form.addRow("Font &size:", self.size_spin)
        return page

    # -- values ------------------------------------------------------------------------
    def preferences(self) -> Preferences:
        """What the dialog shows now."""
        folders = tuple(
            self.folder_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.folder_list.count())
        )
        labels = tuple(
            (c, self.label_edits[c].text().strip() or DEFAULT_LABELS[c]) for c in COLORS
        )
        custom_font = self.default_font_box.currentIndex() == 1
        return Preferences(
            author=self.author_edit.text().strip(),
            library_folders=folders,
            color_labels=labels,
            theme=self.theme_combo.currentData(),
            font_family=self.font_combo.currentFont().family() if custom_font else "",
            font_size=self.size_spin.value(),
            keep_backups=self.backups_spin.value(),
        )

    def set_preferences(self, prefs: Preferences) -> None:
        self.author_edit.setText(prefs.author)
        for color, edit in self.label_edits.items():
            edit.setText(prefs.label(color))
        self.backups_spin.setValue(prefs.keep_backups)
        self.folder_list.clear()
        for folder in prefs.library_folders:
            self._add_folder_item(folder)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(prefs.theme)))
        self.default_font_box.setCurrentIndex(1 if prefs.font_family else 0)
        if prefs.font_family:
            self.font_combo.setCurrentFont(QFont(prefs.font_family))
        self.size_spin.setValue(prefs.font_size)

    def restore_defaults(self) -> None:
        """Defaults for everything but the library folders (those are the user's)."""
        current = self.preferences()
        self.set_preferences(Preferences(library_folders=current.library_folders))

    def apply(self) -> None:
        self.preferences_applied.emit(self.preferences())

    def accept(self) -> None:
        self.apply()
        super().accept()

    # -- folders -----------------------------------------------------------------------
    def _add_folder_item(self, folder: str) -> None:
        for i in range(self.folder_list.count()):
            if self.folder_list.item(i).data(Qt.ItemDataRole.UserRole) == folder:
                return
        item = QListWidgetItem(folder, self.folder_list)
        item.setData(Qt.ItemDataRole.UserRole, folder)
        item.setToolTip(folder)

    def on_add_folder_clicked(self) -> None:
        folder = add_folder_asked(self, self._folders)
        if folder:
            self._add_folder_item(folder)

    def on_remove_folder_clicked(self) -> None:
        for item in self.folder_list.selectedItems():
            self.folder_list.takeItem(self.folder_list.row(item))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_folder_button.setEnabled(bool(self.folder_list.selectedItems()))


def edit_preferences(parent: QWidget, prefs: Preferences, *, default_author: str = "",
                     folders: DialogFolders | None = None) -> Preferences | None:
    """Show the dialog modally; the preferences chosen, or None when cancelled.
    Tests replace this function."""
    dialog = PreferencesDialog(prefs, parent, default_author=default_author, folders=folders)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.preferences()
    return None
