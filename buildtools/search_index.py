"""Index the built site with Pagefind (the real binary from PyPI's ``pagefind[bin]``).

The last step of every build (``invoke build``, ``invoke preview``, ``invoke publish``):
- only the content of ``data-pagefind-body`` elements is indexed, i.e. article and page
  bodies (the templates mark them); listings, tags, archives and 404 carry no marker;
- drafts never: pages under ``bozze/`` (written only for a local preview with
  ``DELEGA_SHOW_DRAFTS=1``) are not even shown to Pagefind;
- Italian stemming (``--force-language it``): "delegare" finds "delega";
- only what the site's own search box uses is kept in ``pagefind/``: the API
  (``pagefind.js``, worker, WebAssembly) and the index. Pagefind's ready-made UIs are
  removed: the box is ``theme/static/js/search.js``.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BUNDLE = "pagefind"
LANGUAGE = "it"
# Top-level folders never indexed: drafts (pelicanconf.py DRAFT_SAVE_AS) and the bundle.
EXCLUDED_DIRS = frozenset({"bozze", BUNDLE})
# Pagefind's own UIs, unused by the site (ours is theme/static/js/search.js).
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)
# Inside the bodies, leave out what is not the text: dates and reading time.
FRAGMENT_MAGIC = b"pagefind_dcd"


class IndexFailed(Exception):
    """Pagefind could not index the site."""


def _mirror(site: Path, dest: Path) -> int:
    """Hard-link (or copy) the site's indexable HTML files into ``dest``; return how many."""
    count = 0
    for html in site.rglob("*.html"):
        rel = html.relative_to(site)
        if rel.parts[0] in EXCLUDED_DIRS:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(html, target)
        except OSError:
            shutil.copy2(html, target)
        count += 1
    return count


def index_site(site: Path) -> None:
    """Write ``site/pagefind/`` from the article and page bodies of ``site``."""
    site = site.resolve()
    bundle = site / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f".{site.name}.pagefind-", dir=site.parent) as tmp:
        source = Path(tmp)
        _mirror(site, source)
        result = subprocess.run(
            [
                sys.executable, "-m", "pagefind", "--site", str(source),
                "--output-path", str(bundle), "--force-language", LANGUAGE, "--silent",
            ],
            capture_output=True, text=True, check=False,
        )
    if result.returncode != 0:
        raise IndexFailed(
            f"Pagefind non è riuscito a indicizzare {site}:\n{result.stderr or result.stdout}"
        )
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)


def indexed_pages(site: Path) -> dict[str, str]:
    """``{url: title}`` of every page in ``site/pagefind/`` (read from its fragments)."""
    pages: dict[str, str] = {}
    for fragment in sorted((site / BUNDLE / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        if data.startswith(FRAGMENT_MAGIC):
            data = data[len(FRAGMENT_MAGIC):]
        record = json.loads(data)
        pages[record["url"]] = record.get("meta", {}).get("title", "")
    return pages
