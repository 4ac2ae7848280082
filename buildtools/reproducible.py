"""Reproducible builds: one clock for everything time-dependent, ``SOURCE_DATE_EPOCH``.

Two builds of the same sources must give the same bytes. Pelican's own output only
depends on the content's dates; the one wall-clock value in our site is the sitemap
plugin's ``lastmod`` for pages without a date (home, indexes, undated pages). This
module is also a Pelican plugin (``PLUGINS = [..., "buildtools.reproducible"]``) that
pins that clock to ``SOURCE_DATE_EPOCH`` when it is set.

``invoke publish`` sets ``SOURCE_DATE_EPOCH`` itself when the author has not: the
time of the last git commit, so that publishing the same commit twice gives the same
site (https://reproducible-builds.org/specs/source-date-epoch/).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

ENV = "SOURCE_DATE_EPOCH"


def source_date_epoch(environ: dict[str, str] | None = None) -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as an aware UTC datetime, or None when unset or invalid."""
    raw = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        logger.warning("%s=%r non è un numero di secondi valido: ignorato", ENV, raw)
        return None


def git_commit_epoch(root: Path) -> int | None:
    """Commit time of ``HEAD`` in the git repository holding ``root``, or None."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True, text=True, check=False, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = result.stdout.strip()
    return int(value) if result.returncode == 0 and value.isdigit() else None


def epoch_for_release(root: Path, environ: dict[str, str] | None = None) -> tuple[int | None, str]:
    """The epoch a production build should use, and where it came from (Italian)."""
    environ = os.environ if environ is None else environ
    if source_date_epoch(dict(environ)) is not None:
        return int(environ[ENV].strip()), f"{ENV} dall’ambiente"
    commit = git_commit_epoch(root)
    if commit is not None:
        return commit, "data dell’ultimo commit git"
    return None, "nessuna (né SOURCE_DATE_EPOCH né git): le date «lastmod» seguono l’orologio"


def _pin_sitemap_clock(_generators_or_pelican: object) -> None:
    when = source_date_epoch()
    if when is None:
        return
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:  # the sitemap plugin is not installed: nothing to pin
        return
    sitemap.generator.now = when


def register() -> None:
    """Pelican entry point: pin the sitemap's clock before anything is written."""
    from pelican import signals

    signals.get_generators.connect(_pin_sitemap_clock)
