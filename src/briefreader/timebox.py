"""A worker thread that can be stopped when it overruns its time box.

Stopping raises an exception inside the worker, which lands at its next bytecode
boundary: that ends pure-Python work (Python-Markdown) but not native code, so a worker
allows it only inside the stretches it marks cancellable, whose state it throws away.
"""

from __future__ import annotations

import contextlib
import threading
import time


class _Cancelled(BaseException):
    """Raised inside a worker that overran its time box (BaseException: Markdown's
    ``except Exception`` blocks must not swallow it)."""


def _raise_in_thread(ident: int) -> bool:
    # CPython delivers the exception at the worker's next bytecode boundary, which
    # stops pure-Python Markdown; elsewhere the daemon thread simply runs on, and the
    # defusing in ``render`` bounds how long.
    try:
        import ctypes

        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        return False
    return set_async_exc(ctypes.c_ulong(ident), ctypes.py_object(_Cancelled)) == 1


class _CancellableThread(threading.Thread):
    """A daemon thread that ``cancel()`` stops while it is inside a cancellable stretch.

    Subclasses implement ``work()`` and bracket the part that may be interrupted with
    ``_enter_cancellable()`` and ``_leave_cancellable()``.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._lock = threading.Lock()
        self._cancellable = False
        self._cancel_sent = False

    def run(self) -> None:
        with contextlib.suppress(_Cancelled):
            self.work()

    def work(self) -> None:
        raise NotImplementedError

    def _enter_cancellable(self) -> None:
        with self._lock:
            self._cancellable = True

    def _leave_cancellable(self) -> None:
        with self._lock:
            self._cancellable = False
            pending = self._cancel_sent
        if pending:
            # The cancel is on its way: take it here, inside run()'s try, not later
            # in threading's clean-up. Bounded, should anything have swallowed it.
            for _ in range(1000):
                time.sleep(0.001)

    def cancel(self) -> None:
        with self._lock:
            if self._cancellable and not self._cancel_sent and self.ident is not None:
                self._cancel_sent = _raise_in_thread(self.ident)

    def finished_within(self, time_limit: float) -> bool:
        """Start the thread and wait up to ``time_limit`` seconds for it. False when it
        is still running; it has been cancelled then."""
        self.start()
        self.join(time_limit)
        if self.is_alive():
            self.cancel()
            return False
        return True
