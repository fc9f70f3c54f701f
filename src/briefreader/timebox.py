"""Work run on a worker thread that is stopped when it overruns its time box.

Stopping raises an exception inside the worker, which lands at its next bytecode
boundary: that ends pure-Python work (Python-Markdown) but not native code, so a worker
allows it only inside the stretches it marks cancellable, whose state it throws away.

:func:`run_time_boxed` keeps the worker for the next job: starting a thread for each
of 10,000 notes printed cost far more than formatting them.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

#: A worker kept for the next job ends after this many seconds without one.
IDLE_SECONDS = 2.0


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
    ``enter_cancellable()`` and ``leave_cancellable()``.
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

    def enter_cancellable(self) -> None:
        with self._lock:
            self._cancellable = True

    def leave_cancellable(self) -> None:
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


class _Job(Generic[T]):
    def __init__(self, work: Callable[[_CancellableThread], T]) -> None:
        self.work = work
        self.done = threading.Event()
        self.result: T | None = None
        self.error: Exception | None = None


class _Worker(_CancellableThread):
    """Runs the jobs given to it one after the other, until it is retired or idle."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._state = threading.Lock()
        self._open = True

    def submit(self, job: _Job) -> bool:
        """Queue ``job``; False when this worker takes no more (retired, or ended idle)."""
        with self._state:
            if self._open:
                self._jobs.put(job)
            return self._open

    def retire(self) -> None:
        """End after the job in hand (cancelled or not): it takes no more."""
        with self._state:
            self._open = False
        self._jobs.put(None)

    def work(self) -> None:
        try:
            self._serve()
        finally:  # however it ends (idle, retired, a cancel landing late), it takes no more
            with self._state:
                self._open = False

    def _serve(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._state:
                    if not self._jobs.empty():  # given one just now
                        continue
                    self._open = False
                return
            if job is None:
                return
            try:
                job.result = job.work(self)
            except Exception as exc:
                job.error = exc
            finally:  # (a cancel ends the thread here: it was retired)
                job.done.set()


_workers = threading.local()  # each calling thread's own: callers never wait on each other


def run_time_boxed(
    work: Callable[[_CancellableThread], T], time_limit: float, name: str
) -> tuple[bool, T | None, Exception | None]:
    """Run ``work`` (given the worker, to mark its cancellable stretches) on this
    thread's worker called ``name``, waiting up to ``time_limit`` seconds. Returns
    (finished, its result, the exception it raised). Not finished: it has been
    cancelled, and its worker retired; the next call gets a new one."""
    job: _Job[T] = _Job(work)
    worker = getattr(_workers, name, None)
    if worker is None or not worker.submit(job):
        worker = _Worker(name)
        worker.start()
        worker.submit(job)
        setattr(_workers, name, worker)
    if job.done.wait(time_limit):
        return True, job.result, job.error
    worker.cancel()
    worker.retire()
    setattr(_workers, name, None)
    return False, None, None
