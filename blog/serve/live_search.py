"""livereload's search index: brought up to date in one worker process, a pass at a time.

A pass (:func:`_bring_up_to_date`) looks at the live version as it is now: when its
``pagefind/`` was made from exactly these pages it does nothing, else it re-indexes
the parts whose pages changed (:func:`blog.build.search.refresh`: the others are
linked) beside the live version and swaps the new index in. The worker keeps the
pages' digests between passes, so a pass reads again only the pages that changed.

The worker is a process of its own (``forkserver``: never a fork of livereload, which
runs threads): Pagefind's bookkeeping (walking, hashing, mirroring pages) done in a
thread of livereload slowed a rebuild running beside it by a third (one interpreter
lock). Passes queue in the one worker, so they never overlap. A pass that fails is said
in one Italian line (:func:`failure_line`); the previous index stays and livereload goes
on serving.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from pathlib import Path

from blog.build.problems import Context
from blog.build.search import BUNDLE, Digests, IndexFailed, refresh
from blog.build.system_errors import from_os_error

# In the worker process: the pages' digests of the last pass (see search.refresh).
_digests: Digests = {}


def _bring_up_to_date(output: Path, work: Path) -> bool:
    """One pass, in the worker; True when it wrote a new index (False: it was current)."""
    global _digests
    live = Path(os.path.realpath(output))
    if not (live / "index.html").is_file():
        return False  # nothing built yet: the first good build indexes it
    work.mkdir(parents=True, exist_ok=True)
    side = Path(tempfile.mkdtemp(prefix="ricerca-", dir=work))
    try:
        current, _digests = refresh(live, side / BUNDLE, _digests)
        if current:
            return False
        # Two renames: the index is missing for a moment, never half-written.
        if (live / BUNDLE).exists():
            os.replace(live / BUNDLE, side / "vecchio")
        os.replace(side / BUNDLE, live / BUNDLE)
        return True
    finally:
        shutil.rmtree(side, ignore_errors=True)


def failure_line(exc: BaseException, root: Path, output: Path) -> str:
    """What livereload says when a pass raised ``exc`` (``root``: the project; ``output``:
    the site it serves): what failed, in the build's words for a machine's error."""
    if isinstance(exc, OSError):  # a full disk, a permission refused, a cache gone…
        why = str(from_os_error(Context(root, root / "content", output_name=output.name), exc))
    elif isinstance(exc, BrokenExecutor):
        why = ("il processo che aggiorna la ricerca si è fermato all’improvviso (memoria "
               "finita?): al prossimo salvataggio ne parte un altro")
    elif isinstance(exc, IndexFailed):
        why = str(exc).strip() or "Pagefind non è riuscito a indicizzare il sito"
    else:
        raise exc
    return f"Indice di ricerca non aggiornato ({why}): resta quello precedente."


class LiveSearch:
    """The worker, for one livereload process: :meth:`start` a pass, :meth:`close`."""

    def __init__(self, output: Path, work: Path) -> None:
        self.output = output
        self.work = work  # where a pass writes its new index before the swap
        self._pool = self._worker()

    @staticmethod
    def _worker() -> ProcessPoolExecutor:
        # Ctrl+C reaches the whole process group: the worker leaves it to livereload,
        # which stops it after the pass under way (no traceback from the worker).
        return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=signal.signal,
                                   initargs=(signal.SIGINT, signal.SIG_IGN))

    def start(self) -> Future[bool]:
        """A pass over the live version as it will be when the pass starts (after the
        passes already queued); its future says whether it wrote a new index and raises
        :class:`blog.build.search.IndexFailed` or ``OSError`` when it could not."""
        try:
            return self._pool.submit(_bring_up_to_date, self.output, self.work)
        except BrokenExecutor:  # the worker died (killed, out of memory): a new one
            self._pool = self._worker()
            return self._pool.submit(_bring_up_to_date, self.output, self.work)

    def close(self) -> None:
        """Stop the worker after the pass under way (the queued ones are dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
