"""What Pelican and the plugins log during a build: warnings and errors become
:class:`~blog.build.errors.Problem` s (any one fails the build, like Pelican's
``--fatal warnings``), progress lines of a few plugins are echoed, the rest goes to the
build log."""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from blog.build.errors import Problem
from blog.build.problems import Context, cache_notice, from_record

Say = Callable[[str], None]
# Libraries whose warnings are advice, not a broken site (WeasyPrint's CSS notes…).
ADVISORY_LOGGERS = ("weasyprint", "fontTools", "PIL", "markdown")
# INFO lines worth showing the author while a build runs.
SHOWN_INFO_LOGGERS = ("kit_pdf", "reproducible", "static_guard", "render_memo",
                      "og_image.cache")


class Capture(logging.Handler):
    """Collect a build's warnings and errors as problems; echo the kit's progress.

    Only records logged by the building thread count: a server thread of livereload
    logging at the same time is not the build's business."""

    def __init__(self, ctx: Context, say: Say, log: Any) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.ctx = ctx
        self.say = say
        self.log = log
        self.problems: list[Problem] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        try:
            message = record.getMessage()
        except Exception:  # a plugin's malformed log call: keep its raw text
            message = str(record.msg)
        self.log.write(f"{record.levelname} {record.name}: {message}\n")
        if record.exc_info and record.exc_info[1] is not None:
            self.log.write("".join(traceback.format_exception(*record.exc_info)))
        if record.levelno >= logging.WARNING and not record.name.startswith(ADVISORY_LOGGERS):
            if _repeats(record, self.problems, self.ctx.content):
                return
            notice = cache_notice(self.ctx, record)
            if notice is not None:  # a cache Pelican throws away and makes again
                self.say(f"      {notice}")
                return
            self.problems.append(from_record(self.ctx, record))
        elif record.levelno == logging.INFO and record.name.startswith(SHOWN_INFO_LOGGERS):
            self.say(f"      {message}")


def _repeats(record: logging.LogRecord, problems: list[Problem], content: Path) -> bool:
    """Pelican's «Unable to find …» for a link our plugin already named with its line, or
    for a file that exists but could not be read (its own problem says why)."""
    if not str(record.msg).startswith("Unable to find") or not record.args:
        return False
    target = str(record.args[0] if isinstance(record.args, tuple) else record.args)
    return (any(target in problem.reason for problem in problems)
            or (content / target.lstrip("/")).is_file())


@contextlib.contextmanager
def captured(ctx: Context, say: Say, log: Any) -> Iterator[Capture]:
    """Capture the build's records for the duration of the block."""
    from pelican.log import LimitFilter, console

    handler = Capture(ctx, say, log)
    root = logging.getLogger()
    # «Writing "…"» for every page, reused or not: 2,000 records a build at 1,000 posts
    # that nobody reads (the build log keeps the rest).
    writers = logging.getLogger("pelican.writers")
    level, quiet, writers_level = root.level, console.quiet, writers.level
    # Pelican drops a warning it has already shown once in this process (the level its
    # own ``log.init(logs_dedup_min_level=…)`` sets); a long-running livereload must see
    # the same mistake again on the next build.
    dedup = LimitFilter.LOGS_DEDUP_MIN_LEVEL
    LimitFilter.LOGS_DEDUP_MIN_LEVEL = logging.NOTSET
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    writers.setLevel(logging.WARNING)
    console.quiet = True  # Pelican's own «Done: Processed …» line
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        writers.setLevel(writers_level)
        console.quiet = quiet
        LimitFilter.LOGS_DEDUP_MIN_LEVEL = dedup


def fail_on(problems: list[Problem]) -> None:
    """Raise the build's problems, if any."""
    from blog.build.errors import BuildError

    if problems:
        raise BuildError(problems)
