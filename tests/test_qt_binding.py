"""The Qt binding in use must survive many void-returning calls.

PySide6 6.12.0 on Python < 3.12 drops a reference to None on each call of a Qt
method returning void and aborts the interpreter after a few thousand of them.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CALLS = 20_000


def test_twenty_thousand_void_calls_survive():
    # In a child process: if the binding is broken the interpreter aborts, and the
    # test must report that rather than take the whole test run down with it.
    code = textwrap.dedent(
        f"""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtGui import QGuiApplication, QTextCharFormat, QTextCursor, QTextDocument
        app = QGuiApplication([])
        doc = QTextDocument()
        doc.setPlainText("x" * 200)
        cursor = QTextCursor(doc)
        fmt = QTextCharFormat()
        refs = sys.getrefcount(None)
        for i in range({CALLS}):
            cursor.setPosition(i % 100)
            cursor.mergeCharFormat(fmt)
            app.processEvents()
        print("survived", sys.getrefcount(None) >= refs - 10)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["survived", "True"]
