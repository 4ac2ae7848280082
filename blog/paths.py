"""Where things live: the project's folders, settings files, output and caches, in one place.

Everything is relative to the project root, the folder holding this package. Caches that
depend on the settings (Pelican's content cache, the kit cache) are named by the settings
files themselves (``CACHE_PATH``, ``KIT_CACHE``), not here.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONTENT = ROOT / "content"
THEME = ROOT / "theme"
PLUGINS = ROOT / "plugins"
KIT = ROOT / "kit"

DEV_SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"

OUTPUT = ROOT / "output"

CACHE = ROOT / ".cache"

# The author's data, never a cache: Isso's local database lives outside ``.cache/`` and
# outside everything ``invoke clean`` removes (gitignored: it holds readers' addresses).
# Its backups go to ``backup/`` beside it (blog.comments.backup).
COMMENTS_DB = ROOT / "commenti" / "comments.db"
BUILD_LOG = CACHE / "ultima-build.log"
CHECK_MEMO = CACHE / "controlli" / "memo.json"


def build_log(root: Path = ROOT) -> Path:
    """The last build's full log (tracebacks included) of the project in ``root``."""
    return root / CACHE.name / BUILD_LOG.name


def versions_dir(output: Path) -> Path:
    """The folder holding the complete versions ``output`` points at: ``.output.versions``."""
    return output.parent / f".{output.name}.versions"


def relative(path: Path | str, root: Path = ROOT) -> str:
    """``path`` relative to ``root`` when inside it (POSIX separators), else as given."""
    candidate = Path(path)
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
