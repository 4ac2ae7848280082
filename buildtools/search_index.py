"""Index the built site with Pagefind (the real binary from PyPI's ``pagefind[bin]``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class IndexFailed(Exception):
    """Pagefind could not index the site."""


def index_site(site: Path) -> None:
    """Write ``site/pagefind/``: only elements marked ``data-pagefind-body`` are indexed."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise IndexFailed(f"Pagefind non è riuscito a indicizzare {site}:\n{result.stderr}")
