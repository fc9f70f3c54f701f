"""Highlights, comments and typing for the notes panel's tests."""

from __future__ import annotations

from briefreader.store import Comment, Highlight
from briefreader.ui.notes_panel import NotesPanel

LABELS = {"yellow": "key point", "green": "agree", "blue": "question", "red": "concern",
          "purple": "action"}
QUOTE = ("Ministers agreed that the regional rail fund should be reviewed before the next "
         "spending round, with particular attention to rural lines and the repair backlog.")


def hl(n: int, **fields) -> Highlight:
    values = dict(
        id=f"h{n}", brief_key="brief", section_id="s1", section_heading="Funding",
        section_ordinal=1, exact=f"{QUOTE} ({n})", prefix="", suffix="", start=n * 10,
        end=n * 10 + 8, color="yellow", note="", tags=(), author="Ana",
        created="2026-03-02T09:15:00.000Z", modified="2026-03-02T09:15:00.000Z",
    )
    values.update(fields)
    return Highlight(**values)


def cm(n: int, **fields) -> Comment:
    values = dict(
        id=f"c{n}", brief_key="brief", section_id="s1", section_heading="Funding",
        section_ordinal=1, section_fingerprint="f", body=f"Comment {n}", author="Ben",
        created=f"2026-03-0{n}T10:00:00.000Z", modified="",
    )
    values.update(fields)
    return Comment(**values)


def show(panel: NotesPanel, highlights, comments=(), *, title="Funding", **kw) -> None:
    panel.set_section(title, list(highlights), list(comments), labels=LABELS, **kw)
    panel.build_all()


def start_typing(qtbot, panel: NotesPanel, item_id: str, text: str):
    panel.begin_edit(item_id)
    editor = panel.card(item_id).note.editor if item_id.startswith("h") else (
        panel.card(item_id).body.editor)
    assert editor is not None and editor.hasFocus()
    qtbot.keyClicks(editor, text)
    return editor
