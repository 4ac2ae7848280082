"""Which log files to read: the ones named on the command line, or the rsync target's
server's, copied over ssh into a temporary folder that is removed after the report.

The target is the one ``invoke publish`` uses (:func:`blog.publish.target.load_config`);
the copy is made with the same ssh options (key only, 15 s to connect). A target that
is a folder of this computer has its logs read where they are. GitHub Pages keeps no
log the author can read.
"""

from __future__ import annotations

import glob
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from blog.publish.errors import DeployError
from blog.publish.target import DeployConfig, load_config, split_destination

REMOTE_LOGS = "/var/log/nginx/access.log*"


class LogsError(Exception):
    """No log to read; the message is Italian and says what to do."""


def _natural(name: str) -> list:
    """``access.log.10.gz`` after ``access.log.9.gz``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def expand(patterns: Sequence[str]) -> list[Path]:
    """The files ``patterns`` name (paths or shell patterns), as logrotate numbers them."""
    files: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(str(Path(pattern).expanduser())), key=_natural) or [pattern]
        for match in matches:
            path = Path(match)
            if not path.is_file():
                raise LogsError(f"Il log «{pattern}» non esiste o non è un file.")
            if path not in files:
                files.append(path)
    return files


def fetch_command(config: DeployConfig, remote_logs: str, folder: Path) -> list[str] | None:
    """The rsync command that copies the server's logs into ``folder``; ``None`` when
    the target is a folder of this computer (its logs are read in place)."""
    if config.method != "rsync":
        raise LogsError(
            f"Il sito è pubblicato su {config.describe()}, che non dà i log di accesso: "
            "indica i file con --log (per esempio --log access.log).")
    host, _path = split_destination(config.destination)
    if host is None:
        return None
    return ["rsync", "--times", "--compress", "--timeout=120",
            "-e", f"ssh -p {config.ssh_port} -o BatchMode=yes -o ConnectTimeout=15",
            f"{host}:{remote_logs}", f"{folder}/"]


def fetch_logs(config: DeployConfig, remote_logs: str, folder: Path) -> list[Path]:
    """Copy the server's logs into ``folder`` (or find them here); return the files."""
    command = fetch_command(config, remote_logs, folder)
    if command is None:
        return expand([remote_logs])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except FileNotFoundError:
        raise LogsError("Per scaricare i log serve rsync (apt-get install rsync "
                        "openssh-client), oppure indica i file con --log.") from None
    if done.returncode != 0:
        # ssh's own line («Connection refused», «Permission denied») comes before rsync's.
        reason = (done.stderr.strip().splitlines() or ["nessun messaggio"])[0]
        raise LogsError(
            f"Non riesco a copiare {remote_logs} dal server: {reason}\n"
            "Controlla che l’utente ssh possa leggere i log (di solito è nel gruppo «adm») "
            "o indica i file con --log.")
    files = sorted((path for path in folder.iterdir() if path.is_file()),
                   key=lambda path: _natural(path.name))
    if not files:
        raise LogsError(f"Sul server non c’è nessun file {remote_logs}.")
    return files


def target_logs(settings: dict, remote_logs: str, folder: Path) -> list[Path]:
    """The logs of the deploy target the settings name."""
    try:
        config = load_config(settings)
    except DeployError as exc:
        raise LogsError(f"{exc}\n\nOppure indica i log con --log.") from None
    return fetch_logs(config, remote_logs, folder)
