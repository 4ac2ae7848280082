"""What this Pagefind writes as its script and worker, byte for byte.

``pagefind.js`` and ``pagefind-worker.js`` are the same for every site indexed by one
version of Pagefind with the same options; only their digest tells a whole one from one
cut short on a full disk (both are plain JavaScript, and a cut can fall anywhere). The
reference comes from Pagefind's own Python API, which hands its files over in memory
(nothing written, so no full disk can cut it): a one-page index, ~0.4 s, made once per
installed Pagefind and kept in ``.cache/pagefind/riferimento.json`` (a file that does
not read back as this reference is made again; :func:`expected` with ``fresh=True``
ignores it). Without a cache folder (livereload's worker) it is kept in memory for the
process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

FILE = "riferimento.json"
SCRIPTS = ("pagefind.js", "pagefind-worker.js")
_HEX = re.compile(r"^[0-9a-f]{64}$")
_memory: dict[str, dict[str, str]] = {}


def _key() -> str:
    versions = []
    for package in ("pagefind", "pagefind_bin"):
        try:
            versions.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package}==?")
    return " ".join(versions)


def _valid(files: object) -> bool:
    return (isinstance(files, dict) and set(files) == set(SCRIPTS)
            and all(isinstance(v, str) and _HEX.match(v) for v in files.values()))


async def _from_api(language: str) -> dict[str, str]:
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    # The index of a service, without the index's own context (which would write it to
    # disk on leaving): its files in memory, then the service stops.
    async with PagefindService() as service:
        index = await service.create_index(IndexConfig(force_language=language))
        await index.add_custom_record(url="/riferimento/", content="riferimento",
                                      language=language)
        files = await index.get_files()
    return {str(f["path"]): hashlib.sha256(f["content"]).hexdigest()
            for f in files if f["path"] in SCRIPTS}


def _compute(language: str) -> dict[str, str] | None:
    # In a thread of its own: asyncio.run refuses a thread that already runs an event loop
    # (a caller driving Playwright's sync API does), and the reference would then be lost.
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            files = pool.submit(
                lambda: asyncio.run(asyncio.wait_for(_from_api(language), timeout=120))).result()
    except Exception:  # no reference: the scripts are then only checked for being there
        return None
    return files if _valid(files) else None


def expected(cache: Path | None, language: str = "it", *, fresh: bool = False,
             notice: list[str] | None = None) -> dict[str, str] | None:
    """``{name: sha256}`` of the script and worker; None when Pagefind's API cannot give
    them. ``notice`` collects the Italian line to show when the stored one was damaged."""
    key = f"{_key()} {language}"
    path = cache / FILE if cache is not None else None
    if path is not None and not fresh:
        stored = _stored(path)
        if isinstance(stored, dict) and stored.get("key") == key and _valid(stored.get("files")):
            _memory[key] = stored["files"]
            return _memory[key]
        if stored is not None and notice is not None:
            shown = f"{path.parent.parent.name}/{path.parent.name}/{FILE}"
            notice.append(f"La cache {shown} era danneggiata: la rifaccio.")
    files = _memory.get(key) if not fresh else None
    if files is None:
        files = _compute(language)
        if files is None:
            return None
        _memory[key] = files
    if path is not None:
        _store(path, key, files)
    return files


def _stored(path: Path) -> object:
    """What the cache file holds: None when absent, {} when it is not JSON (or a folder,
    removed)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
        return {}
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def _store(path: Path, key: str, files: dict[str, str]) -> None:
    temporary = path.with_name(f".{FILE}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"key": key, "files": files}), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:  # kept in memory; the next build makes it again
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
