"""A real small disk for tests/test_faults_disk.py: a tmpfs of a few megabytes, mounted
for the test and filled until only so many bytes are free.

Mounting needs the right to mount. Root has it (``mount`` here, as on CI); any other
user gets it inside a user and mount namespace of its own (``unshare --user
--map-root-user --mount``, util-linux), where the mount exists for that process and its
children only: the test then runs again inside one (:func:`run_in_namespace`). Where
neither works the test fails and says why; it never skips.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

UNSHARE = ("unshare", "--user", "--map-root-user", "--mount")
# Set for the run inside the namespace: there the mount must work, or the test fails.
IN_NAMESPACE = "DELEGA_DISCO_PICCOLO_NAMESPACE"


def _mount_command(folder: Path, megabytes: int) -> list[str]:
    return ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)]


def _refusal(done: subprocess.CompletedProcess[str], command: str) -> str | None:
    if done.returncode == 0:
        return None
    said = (done.stderr or done.stdout).strip().splitlines()
    return said[0] if said else f"{command}: uscita {done.returncode}"


def mount(folder: Path, megabytes: int) -> str | None:
    """Mount a tmpfs of ``megabytes`` on ``folder``: None once mounted, else why not."""
    if shutil.which("mount") is None:
        return "manca il comando mount (pacchetto Debian util-linux)"
    done = subprocess.run(_mount_command(folder, megabytes), capture_output=True, text=True,
                          check=False)
    return _refusal(done, "mount")


def mount_refused() -> str | None:
    """Why this process cannot mount a tmpfs (None: it can), tried for real on 1 MB."""
    with tempfile.TemporaryDirectory(prefix="prova-tmpfs-") as folder:
        why = mount(Path(folder), 1)
        if why is None:
            subprocess.run(["umount", "-l", folder], capture_output=True, check=False)
        return why


def namespace_refused() -> str | None:
    """Why a namespace of this user (``unshare -Urm``) cannot mount a tmpfs (None: it
    can), tried for real on 1 MB (the mount goes with the namespace)."""
    if shutil.which("unshare") is None:
        return "manca unshare (pacchetto Debian util-linux)"
    with tempfile.TemporaryDirectory(prefix="prova-tmpfs-") as folder:
        done = subprocess.run([*UNSHARE, *_mount_command(Path(folder), 1)],
                              capture_output=True, text=True, check=False)
    return _refusal(done, "unshare")


def run_in_namespace(nodeid: str, basetemp: Path, root: Path) -> subprocess.CompletedProcess:
    """Run the pytest test ``nodeid`` again inside a user and mount namespace, where this
    user may mount (its temporary folders under ``basetemp``)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PYTEST_XDIST")} | {IN_NAMESPACE: "1"}
    return subprocess.run(
        [*UNSHARE, sys.executable, "-m", "pytest", nodeid, "-q", "-x", "-p", "no:randomly",
         "-p", "no:cacheprovider", "-p", "no:xdist", "--basetemp", str(basetemp)],
        cwd=root, env=env, capture_output=True, text=True, check=False)


@contextlib.contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` mounted on ``folder`` for the block (AssertionError with
    mount's words when it cannot be mounted)."""
    folder.mkdir(parents=True, exist_ok=True)
    why = mount(folder, megabytes)
    assert why is None, f"il tmpfs di {megabytes} MB non si monta su {folder}: {why}"
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def free_bytes(folder: Path) -> int:
    """Bytes an unprivileged write may still use on ``folder``'s file system."""
    info = os.statvfs(folder)
    return info.f_bavail * info.f_frsize


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` until only ``leave`` bytes are free; the filler file."""
    filler = disk / "riempitivo"
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free_bytes(disk) - leave))
    return filler
