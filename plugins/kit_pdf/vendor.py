"""pdf.js, vendored: the code that fills the kit in the reader's browser.

``vendor/pdfjs-dist/`` holds the legacy build of npm's ``pdfjs-dist`` (the version that
``package.json`` pins and ``package-lock.json`` locks) byte for byte, licence header
included: a build never needs npm or the network. The web edition loads it only when
the reader taps «Scarica il PDF compilato»; :func:`vendor_files` gives the published
names (``pdf.min.<hash>.js``: a ``.js`` name, served as JavaScript by every server, and a
new name whenever the bytes change).

After changing the version in ``package.json``: ``npm install``, then
``.venv/bin/python plugins/kit_pdf/vendor.py`` copies the new files here
(``tests/test_kit_web_data.py`` checks they are npm's).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor" / "pdfjs-dist"
PACKAGE = "pdfjs-dist"
# npm's file (in node_modules/pdfjs-dist/) → the vendored copy's name.
NPM_FILES = {
    "legacy/build/pdf.min.mjs": "pdf.min.mjs",
    "legacy/build/pdf.worker.min.mjs": "pdf.worker.min.mjs",
    "LICENSE": "LICENSE",
}
# What the page needs: the library and its worker (the licence stays in the repository:
# each file starts with its Apache 2.0 notice).
PUBLISHED = {"pdfjs": "pdf.min.mjs", "worker": "pdf.worker.min.mjs"}


def vendor_files(folder: Path = VENDOR) -> dict[str, tuple[Path, str]]:
    """``{"pdfjs": (vendored file, published name), "worker": …}``."""
    found = {}
    for key, name in PUBLISHED.items():
        path = folder / name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        found[key] = (path, f"{name.removesuffix('.mjs')}.{digest}.js")
    return found


def refresh(node_modules: Path, folder: Path = VENDOR) -> list[Path]:
    """Copy npm's files from ``node_modules/pdfjs-dist`` into ``folder``."""
    package = node_modules / PACKAGE
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for source, name in NPM_FILES.items():
        shutil.copyfile(package / source, folder / name)
        copied.append(folder / name)
    return copied


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    for path in refresh(root / "node_modules"):
        print(f"· {path.relative_to(root)}")
    sys.exit(0)
