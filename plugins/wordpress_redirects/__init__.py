"""Old WordPress addresses keep working on any host: ``_redirects`` and refresh pages.

``invoke import-wordpress`` writes ``content/wordpress-redirects.json`` (old path → new
path, plus ``?p=``/``?page_id=`` numbers). Once Pelican has written the site, this
plugin adds to the output folder:

- ``_redirects`` (Netlify, Cloudflare Pages, …): one ``301`` per old address; the
  ``/ p=123 …`` lines only work on Netlify, which matches query strings;
- at each old folder address (``/2019/05/12/slug/``) a small HTML page with a
  canonical link and an immediate refresh to the new address, for hosts with no
  redirect rules (GitHub Pages, a plain folder). It never replaces a page the site
  has, and says (as a warning, fatal in our builds) when a new address does not exist.

Without the data file it does nothing. nginx reads ``deploy/wordpress-redirects.map``.
What an old address is and when a target exists is defined once, in :mod:`.rules`,
which the importer applies before it writes anything.
"""

from __future__ import annotations

import html
import json
import logging
import os
import posixpath
from pathlib import Path
from urllib.parse import quote

from pelican import signals

from . import rules

logger = logging.getLogger(__name__)

DATA_FILE = "wordpress-redirects.json"
MARKER = '<meta name="generator" content="wordpress_redirects">'
END = "# (fine dei vecchi indirizzi di WordPress)"
PAGE = """<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pagina spostata – {site}</title>
<meta name="robots" content="noindex">
<meta name="generator" content="wordpress_redirects">
<link rel="canonical" href="{canonical}">
<meta http-equiv="refresh" content="0; url={relative}">
</head>
<body>
<main>
<h1>Pagina spostata</h1>
<p>Questa pagina ora è qui: <a href="{relative}">{canonical_text}</a>.</p>
</main>
</body>
</html>
"""


def _target_exists(output: Path, target: str) -> bool:
    return rules.target_exists(lambda path: (output / path).is_file(), target)


def _relative(old: str, new: str) -> str:
    """``new`` as seen from the folder ``old`` (works under any path prefix)."""
    rel = posixpath.relpath(new.rstrip("/") or "/", old.rstrip("/") or "/")
    return quote(rel + ("/" if new.endswith("/") else ""))


def _line_of(path: Path, old: str) -> int:
    needle = json.dumps(old, ensure_ascii=False)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().startswith(needle):
            return number
    return 1


def write_redirects(pelican) -> None:
    settings = pelican.settings
    data_file = Path(settings["PATH"]) / settings.get("WORDPRESS_REDIRECTS", DATA_FILE)
    if not data_file.is_file():
        return
    try:
        data = json.loads(data_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        logger.error("%s: non è un JSON valido (%s): rilancia `invoke import-wordpress`",
                     os.path.relpath(data_file), exc)
        return
    output = Path(settings["OUTPUT_PATH"])
    siteurl = str(settings.get("SITEURL", "")).rstrip("/")
    lines = ["# Vecchi indirizzi di WordPress (da content/" + DATA_FILE + ")"]
    pages = 0
    for written, new in data.get("paths", {}).items():
        old = rules.old_address(written)
        if old is None:
            continue
        if not _target_exists(output, new):
            logger.warning("%s:%s: il vecchio indirizzo %s porta a %s, che nel sito non c’è "
                           "(articolo tolto o tornato bozza?): correggi o togli la riga",
                           os.path.relpath(data_file), _line_of(data_file, written), old, new)
            continue
        lines.append(f"{old} {quote(new)} 301")
        if not old.endswith("/"):
            continue
        page = output / rules.folder_of(old) / "index.html"
        if page.exists() and MARKER not in page.read_text(encoding="utf-8"):
            continue  # the site has a real page here: it wins
        page.parent.mkdir(parents=True, exist_ok=True)
        canonical = siteurl + new
        page.write_text(PAGE.format(
            site=html.escape(str(settings.get("SITENAME", ""))),
            canonical=html.escape(canonical), canonical_text=html.escape(canonical),
            relative=html.escape(_relative(old, new)),
        ), encoding="utf-8")
        pages += 1
    home = rules.old_address(data.get("base", "/")) or "/"  # the old blog's folder
    for name, values in data.get("queries", {}).items():
        for value, new in values.items():
            if _target_exists(output, new):
                lines.append(f"{home} {name}={quote(value)} {quote(new)} 301")
    lines.append(END)
    redirects = output / "_redirects"
    previous = redirects.read_text(encoding="utf-8") if redirects.exists() else ""
    if lines[0] in previous:  # a build into the same folder: replace our block
        before, _, rest = previous.partition(lines[0])
        previous = before + rest.partition(END + "\n")[2]
    if previous and not previous.endswith("\n"):
        previous += "\n"
    redirects.write_text(previous + "\n".join(lines) + "\n", encoding="utf-8")
    logger.info("wordpress_redirects: %d indirizzi, %d pagine di reindirizzamento",
                len(lines) - 2, pages)


def register() -> None:
    signals.finalized.connect(write_redirects)
