"""Real faults for the fault tests (tests/test_faults*.py): a damaged cache file, a
project built before the fault to compare against (the full disk: tests/small_disk.py).

A damage is what a crash, a full disk or a clumsy hand really leaves: a file cut in
half, its bytes replaced by random ones, ``[]`` written over it, a folder where it was,
or (in place, through the same inode, as ``> file`` does) emptied.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from tests.sitecopy import copy_project, invoke

ARTICLE = Path("content/articles/sei-pronto-assistente-virtuale.md")
# Every build of these tests dates the sitemap's undated pages the same way.
EPOCH = {"SOURCE_DATE_EPOCH": "1780000000"}
DAMAGES = ("troncato", "spazzatura", "lista-vuota", "cartella", "svuotato")


def damage(path: Path, how: str) -> None:
    """Damage the file at ``path`` the way ``how`` says (one of :data:`DAMAGES`)."""
    data = path.read_bytes() if path.is_file() else b""
    if how == "troncato":
        path.write_bytes(data[: len(data) // 2])
    elif how == "spazzatura":
        path.write_bytes(os.urandom(max(len(data), 64)))
    elif how == "lista-vuota":
        path.write_bytes(b"[]")
    elif how == "svuotato":
        with open(path, "r+b") as handle:  # in place: every hard link sees it
            handle.truncate(0)
    elif how == "cartella":
        path.unlink()
        path.mkdir()
        (path / "intruso").write_text("non dovrei essere qui", encoding="utf-8")
    else:
        raise ValueError(how)


def edit(project: Path, token: str) -> None:
    """Add a paragraph to one article (a real change: the build has work to do)."""
    path = project / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + f"\n{token}\n", encoding="utf-8")


def digest(folder: Path) -> dict[str, str] | None:
    """Every file under ``folder`` (a link followed) → SHA-256; None when there is none."""
    if not folder.exists():
        return None
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = \
                hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def differences(got: dict[str, str] | None, want: dict[str, str]) -> str:
    """What differs between two sites, for a failure message."""
    if got is None:
        return "nessun output/"
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(k for k in want if k in got and got[k] != want[k])
    return f"mancano {missing[:5]}, in più {extra[:5]}, diversi {changed[:5]}"


def built_copy(dest: Path, *tokens: str) -> Path:
    """A project copy with ``tokens`` added to the article and built by ``invoke build``
    after each (so that the last build has a previous version to keep)."""
    project = copy_project(dest)
    result = invoke(project, "build", env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    for token in tokens:
        edit(project, token)
        result = invoke(project, "build", env=EPOCH)
        assert result.returncode == 0, result.stdout + result.stderr
    return project


def _output_key(output: Path) -> str:
    """How the build names an output's own files in ``.cache`` (its absolute path)."""
    return hashlib.sha256(str(output.absolute()).encode()).hexdigest()[:16]


def clone(template: Path, dest: Path) -> Path:
    """A copy of a built project (its output link, versions and caches included), with
    the files the build keeps per output (its stamp, its render memo) renamed for the
    copy's output, as if the project had been built where it is."""
    shutil.copytree(template, dest, symlinks=True)
    old, new = _output_key(template / "output"), _output_key(dest / "output")
    for folder in (dest / ".cache" / "build-inputs", dest / ".cache" / "pelican" / "render-memo"):
        if (folder / f"{old}.json").is_file():
            (folder / f"{old}.json").rename(folder / f"{new}.json")
    return dest
