"""What a build is made of, as one digest: a build whose inputs did not change is skipped.

The digest covers every file a build reads (content, theme, local plugins, the kit's
sources, the project's ``*.py`` settings and tasks, ``blog/`` itself), the
resolved settings (so the environment variables they read count), the installed
packages and their versions, Python's version, ``SOURCE_DATE_EPOCH`` and, when the
settings date the site by git (``REPRODUCIBLE_DATES = "git"``), the commit. File
*contents* are hashed, not times: a checkout or a copy that keeps the bytes keeps the
digest. ``record`` writes it beside the caches once a build succeeded; ``unchanged``
says whether the live version of an output was built from exactly these inputs; a
stamp that does not read back as one is thrown away (:func:`load`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from blog.build import disk

SKIPPED_DIRS = frozenset({"__pycache__", ".git", "node_modules"})
# What Pelican reads as posts and pages; their bytes reach a page only through the post.
POST_SUFFIXES = frozenset({".md", ".markdown", ".mkd", ".mdown", ".html", ".htm", ".rst"})
# What plugins/scheduled_posts writes in Pelican's cache folder (its HELD_FILE).
SCHEDULED_LIST = "scheduled-posts.json"
ENVIRONMENT = ("DELEGA_", "ISSO", "PELICAN", "SOURCE_DATE_EPOCH", "TZ")


def _files(folder: Path) -> Iterable[Path]:
    for current, dirs, names in os.walk(folder):
        # os.walk lists a link to a folder among the folders and does not enter it: yield
        # it as an entry, so a new link (even a loop) is an input that changed.
        links = [d for d in dirs if os.path.islink(os.path.join(current, d))]
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and d not in links)
        for name in sorted(names + links):
            if not name.endswith(".pyc"):
                yield Path(current) / name


def _stable(value: Any) -> str:
    """A setting that JSON cannot show (a function, a class): its name, never an address."""
    kind = type(value)
    name = getattr(value, "__qualname__", None) or kind.__qualname__
    return f"{getattr(value, '__module__', kind.__module__)}.{name}"


def _dump(value: Any) -> bytes:
    try:
        return json.dumps(value, sort_keys=True, default=_stable).encode()
    except (TypeError, ValueError):  # keys JSON cannot sort: their repr, minus addresses
        return re.sub(r" at 0x[0-9a-f]+", "", repr(sorted(value.items(), key=repr))).encode()


@functools.cache
def _packages() -> tuple[str, ...]:
    """Installed distributions, once per process (code already imported would not change
    with them: a long-running livereload restarts for that)."""
    from importlib.metadata import distributions

    return tuple(sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions()))


def _git_head(root: Path) -> str:
    result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                            text=True, check=False)
    return result.stdout.strip()


def folders(settings: dict[str, Any], root: Path) -> list[Path]:
    """The folders whose files a build of ``settings`` reads."""
    found = [Path(settings["PATH"]), Path(settings["THEME"]), root / "blog"]
    found += [Path(p) if Path(p).is_absolute() else root / p
              for p in settings.get("PLUGIN_PATHS", [])]
    kit = Path(settings.get("KIT_SOURCE") or root / "kit")
    found.append(kit if kit.is_absolute() else root / kit)
    unique: list[Path] = []
    for folder in found:
        folder = folder.resolve()
        if folder.is_dir() and folder not in unique:
            unique.append(folder)
    return unique


def inputs_digest(settings: dict[str, Any], root: Path, *, posts: bool = True,
                  **extra: Any) -> str:
    """SHA-256 of everything a build of ``settings`` in ``root`` depends on.

    ``posts=False`` leaves out the posts' and pages' own sources (what the render memo's
    page keys cover) and keeps everything else: settings, theme, plugins, kit, images."""
    digest = hashlib.sha256()
    content = Path(settings["PATH"]).resolve()
    templates = {(content / name).resolve() for name in settings.get("TEMPLATE_PAGES") or {}}

    def is_post(path: Path) -> bool:
        return (not posts and path.suffix.lower() in POST_SUFFIXES
                and path.is_relative_to(content) and path.resolve() not in templates)

    def add(label: str, data: bytes) -> None:
        digest.update(f"\0{label}\0{len(data)}\0".encode())
        digest.update(data)

    shown = {key: value for key, value in settings.items()
             if key not in ("OUTPUT_PATH", "BUILD_CONTEXT")}
    add("settings", _dump(shown))
    add("extra", _dump(extra))
    # Read by the settings files or the kit beside the settings (publishconf's address).
    add("environment", _dump({key: value for key, value in os.environ.items()
                              if key.startswith(ENVIRONMENT)}))
    add("python", sys.version.encode())
    add("packages", "\n".join(_packages()).encode())
    if settings.get("REPRODUCIBLE_DATES") == "git":
        add("git", _git_head(root).encode())
    for python in sorted(root.glob("*.py")):
        add(python.name, python.read_bytes())
    for folder in folders(settings, root):
        for path in _files(folder):
            if is_post(path):
                continue
            name = str(path.relative_to(root) if path.is_relative_to(root) else path)
            if stat.S_ISREG(path.lstat().st_mode):
                add(name, path.read_bytes())
            else:  # a link or a special file: never read here, never judged unchanged
                add(name, f"not a regular file {time.time_ns()}".encode())
    return digest.hexdigest()


def cache_state(folder: Path) -> dict[str, list[int]]:
    """Size and time of every file in a cache folder (a damaged cache means: build)."""
    state = {}
    for path in _files(folder) if folder.is_dir() else ():
        info = path.lstat()
        state[path.relative_to(folder).as_posix()] = [info.st_size, info.st_mtime_ns]
    return state


def _stamp_file(cache: Path, output: Path) -> Path:
    name = hashlib.sha256(str(output.absolute()).encode()).hexdigest()[:16]
    return cache / "build-inputs" / f"{name}.json"


class Stamp(dict):
    """What the last successful build of an output recorded (see :func:`record`)."""


def load(cache: Path, output: Path, say: Callable[[str], None] | None = None,
         root: Path | None = None) -> Stamp | None:
    """The stamp of ``output``'s last successful build; None when there is none or it
    does not read back as one (then it is removed, and ``say`` gets one line)."""
    path = _stamp_file(cache, output)
    try:
        stamp = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        stamp = None
    if (isinstance(stamp, dict) and isinstance(stamp.get("version"), str)
            and isinstance(stamp.get("digest"), str) and isinstance(stamp.get("cache"), dict)
            and isinstance(stamp.get("site"), dict)):
        return Stamp(stamp)
    _discard(path, say, root)
    return None


def _discard(path: Path, say: Callable[[str], None] | None, root: Path | None) -> None:
    shown = path.relative_to(root).as_posix() if root and path.is_relative_to(root) else path
    try:
        disk.remove(path)
    except OSError:
        return  # the build goes on without it; its record() replaces it or says why
    if say is not None:
        say(f"La cache {shown} era danneggiata: la rifaccio.")


def unchanged(stamp: Stamp | None, version: Path | None, digest: str,
              pelican_cache: Path) -> bool:
    """True when ``version`` (the live one) was built from inputs with ``digest`` and
    Pelican's cache and the version's own files are as that build left them (a plain
    ``pelican -s publishconf.py`` writes into the live version: that must rebuild)."""
    if stamp is None or version is None or not version.is_dir():
        return False
    if stamp.get("version") != version.name or stamp.get("digest") != digest:
        return False  # the usual answer after an edit: no need to list every file
    return stamp == {"version": version.name, "digest": digest,
                     "cache": cache_state(pelican_cache), "site": cache_state(version)}


def scheduled_post_due(pelican_cache: Path) -> bool:
    """True when a post the last build held back or marked as scheduled has come due on
    the wall clock since (``rebuild_at`` in plugins/scheduled_posts' list): the site
    changes then, though no file did."""
    import datetime as dt

    try:
        listed = json.loads((pelican_cache / SCHEDULED_LIST).read_text(encoding="utf-8"))
        when = dt.datetime.fromisoformat(listed["rebuild_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if when.tzinfo is None:
        return False
    return dt.datetime.now(dt.UTC) >= when


def files_as_built(stamp: Stamp | None, version: Path | None) -> dict[str, Any]:
    """``{path: [size, mtime_ns]}`` of ``version``'s files when its build succeeded (it
    read them back whole then); empty when the stamp is of another version."""
    if stamp is None or version is None or stamp.get("version") != version.name:
        return {}
    return dict(stamp["site"])


def record(cache: Path, output: Path, version: Path, digest: str,
           pelican_cache: Path) -> None:
    """Remember that ``version`` of ``output`` was built from inputs with ``digest``."""
    path = _stamp_file(cache, output)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": version.name, "digest": digest,
                                     "cache": cache_state(pelican_cache),
                                     "site": cache_state(version)}),
                         encoding="utf-8")
    os.replace(temporary, path)


def forget(cache: Path, output: Path) -> None:
    """A build of ``output`` failed or is under way: no version is known to be current."""
    disk.remove(_stamp_file(cache, output))
