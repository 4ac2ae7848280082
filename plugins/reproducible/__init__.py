"""Reproducible builds: one clock for everything time-dependent, ``SOURCE_DATE_EPOCH``.

Two builds of the same sources must give the same bytes. The one wall-clock value in
the site is the sitemap's ``lastmod`` for pages without a date (home, indexes, undated
pages): the sitemap plugin stamps them with the time it was imported. With an epoch,
this plugin rewrites those ``lastmod`` values in the written ``sitemap.xml`` (it never
touches the sitemap plugin's own state); dated pages keep their dates.

Where the epoch comes from: ``SOURCE_DATE_EPOCH`` in the environment, else, when the
settings say ``REPRODUCIBLE_DATES = "git"`` (``publishconf.py``), the time of the last
git commit, so that publishing the same commit twice gives the same site
(https://reproducible-builds.org/specs/source-date-epoch/). The epoch is kept in the
build's own settings (``REPRODUCIBLE_EPOCH``), never in the process environment.

List it after ``fresh_sitemap`` and before ``kit_pdf`` in ``PLUGINS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from pelican import signals

logger = logging.getLogger(__name__)

ENV = "SOURCE_DATE_EPOCH"
EPOCH_KEY = "REPRODUCIBLE_EPOCH"
_DATED_KEY = "_REPRODUCIBLE_DATED_URLS"
_URL = re.compile(r"<url>\s*<loc>(?P<loc>[^<]*)</loc>\s*<lastmod>(?P<lastmod>[^<]*)</lastmod>")


def source_date_epoch(environ: dict[str, str] | None = None) -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as an aware UTC datetime, or None when unset or invalid."""
    raw = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        logger.warning("%s=%r non è un numero di secondi valido", ENV, raw,
                       extra={"problem": {"reason": f"{ENV}={raw!r} non è un numero di "
                                                    "secondi valido"}})
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


def epoch_for(settings: dict[str, Any], environ: dict[str, str] | None = None
              ) -> tuple[int | None, str]:
    """The epoch a build should use, and where it came from (Italian)."""
    environ = dict(os.environ if environ is None else environ)
    if source_date_epoch(environ) is not None:
        return int(environ[ENV].strip()), f"{ENV} dall’ambiente"
    if settings.get("REPRODUCIBLE_DATES") == "git":
        commit = git_commit_epoch(Path(settings["PATH"]).resolve().parent)
        if commit is not None:
            return commit, "data dell’ultimo commit git"
        return None, "nessuna (né SOURCE_DATE_EPOCH né git): le date «lastmod» seguono l’orologio"
    return None, ""


def _initialized(pelican: Any) -> None:
    epoch, origin = epoch_for(pelican.settings)
    pelican.settings[EPOCH_KEY] = epoch
    if origin:
        logger.info("data di riferimento (SOURCE_DATE_EPOCH): %s", origin)


def _collect_dated(generators: list[Any]) -> None:
    urls: set[str] = set()
    settings = None
    for generator in generators:
        settings = generator.settings
        for name in ("articles", "translations", "hidden_articles", "hidden_translations",
                     "drafts", "drafts_translations", "pages", "hidden_pages", "draft_pages"):
            for item in getattr(generator, name, ()) or ():
                if getattr(item, "modified", None) or getattr(item, "date", None):
                    urls.add(re.sub(r"(?:^|(?<=/))index.html$", "", item.url))
    if settings is not None:
        settings[_DATED_KEY] = urls


def _rewrite_sitemap(pelican: Any) -> None:
    settings = pelican.settings
    dated = settings.pop(_DATED_KEY, set())
    epoch = settings.get(EPOCH_KEY)
    sitemap = Path(pelican.output_path) / "sitemap.xml"
    if epoch is None or not sitemap.is_file():
        return
    when = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"
    siteurl = str(settings.get("SITEURL", "")) + "/"

    def fix(match: re.Match[str]) -> str:
        loc = match["loc"]
        path = loc[len(siteurl):] if loc.startswith(siteurl) else loc
        if path in dated:
            return match.group(0)
        return match.group(0).replace(f"<lastmod>{match['lastmod']}</lastmod>",
                                      f"<lastmod>{stamp}</lastmod>")

    text = sitemap.read_text(encoding="utf-8")
    sitemap.write_text(_URL.sub(fix, text), encoding="utf-8")


def register() -> None:
    """Pelican entry point."""
    signals.initialized.connect(_initialized)
    signals.all_generators_finalized.connect(_collect_dated)
    signals.finalized.connect(_rewrite_sitemap)
