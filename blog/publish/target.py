"""Which deploy target, and its address: ``DEPLOY`` in the settings file or ``DELEGA_DEPLOY*``.

The author sets the target in ``publishconf.py`` (``DEPLOY``) or in the environment
(``DELEGA_DEPLOY``, ``DELEGA_DEPLOY_DEST``, ``DELEGA_DEPLOY_SSH_PORT``,
``DELEGA_DEPLOY_BRANCH``); the environment wins.

Whether the target has a comment server is the target's business too (``comments``):
rsync to the nginx sample has Isso behind ``/isso/``; GitHub Pages, and any static host
whose ``DEPLOY`` says ``"comments": False``, has none, so its site is built without the
comment form and without any request to Isso.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blog.paths import ROOT
from blog.publish.errors import HOW_TO_CONFIGURE, DeployError

METHODS = ("rsync", "gh-pages")


@dataclass(frozen=True)
class DeployConfig:
    """Where and how to deploy."""

    method: str
    destination: str
    ssh_port: int = 22
    branch: str = "gh-pages"
    keep_releases: int = 5
    cname: str = ""
    #: The target serves Isso at the site's ``ISSO_URL`` (rsync with deploy/nginx.conf).
    comments: bool = True

    @property
    def has_comment_server(self) -> bool:
        """GitHub Pages never has one, whatever the flag says."""
        return self.comments and self.method != "gh-pages"

    def describe(self) -> str:
        if self.method == "gh-pages":
            return f"ramo {self.branch} di {self.destination}"
        return f"{self.destination} (rsync)"


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did, for the summary line."""

    where: str
    detail: str
    #: False: the target already had exactly this site; nothing was sent.
    changed: bool = True


def load_config(
    settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> DeployConfig:
    """Combine ``DEPLOY`` from the settings with the ``DELEGA_DEPLOY*`` variables.

    Raises :class:`DeployError` with the Italian how-to when nothing usable is set.
    """
    environ = os.environ if environ is None else environ
    raw = dict(settings.get("DEPLOY") or {})
    for key, variable in (("method", "DELEGA_DEPLOY"), ("destination", "DELEGA_DEPLOY_DEST"),
                          ("ssh_port", "DELEGA_DEPLOY_SSH_PORT"),
                          ("branch", "DELEGA_DEPLOY_BRANCH")):
        if environ.get(variable, "").strip():
            raw[key] = environ[variable].strip()
    method = str(raw.get("method") or "").strip().lower().replace("_", "-")
    destination = str(raw.get("destination") or "").strip()
    if method in ("ghpages", "github", "github-pages"):
        method = "gh-pages"
    if not method and not destination:
        raise DeployError(HOW_TO_CONFIGURE.format(problem=""))
    if method not in METHODS:
        raise DeployError(HOW_TO_CONFIGURE.format(
            problem=f"Il metodo «{method or '(vuoto)'}» non esiste: usa «rsync» o «gh-pages».\n\n"))
    if not destination:
        raise DeployError(HOW_TO_CONFIGURE.format(
            problem=f"Manca la destinazione per «{method}» (DELEGA_DEPLOY_DEST).\n\n"))
    try:
        port = int(raw.get("ssh_port") or 22)
        keep = int(raw.get("keep_releases") or 5)
    except (TypeError, ValueError):
        raise DeployError(
            "DEPLOY: «ssh_port» e «keep_releases» devono essere numeri interi.") from None
    comments = _comments(raw.get("comments"), method)
    return DeployConfig(
        comments=comments, method=method, destination=destination, ssh_port=port,
        branch=str(raw.get("branch") or "gh-pages"), keep_releases=max(2, keep),
        cname=str(raw.get("cname") or ""),
    )


NO_COMMENTS_ON_GH_PAGES = (
    "DEPLOY dice «comments»: True, ma GitHub Pages serve solo file statici: nessun server "
    "di commenti (Isso) può rispondere lì.\nTogli «comments» da DEPLOY in publishconf.py "
    "(il sito uscirà senza modulo dei commenti, con il link per commentare via e-mail), "
    "oppure pubblica con rsync su un server con deploy/nginx.conf.")


def _comments(raw: object, method: str) -> bool:
    """The ``comments`` flag: given, else True for rsync and False for gh-pages."""
    if raw is None or raw == "":
        return method != "gh-pages"
    if isinstance(raw, str):
        value = raw.strip().lower() not in ("0", "false", "no", "off")
    else:
        value = bool(raw)
    if value and method == "gh-pages":
        raise DeployError(NO_COMMENTS_ON_GH_PAGES)
    return value


_REMOTE = re.compile(r"^(?P<host>[^/:]+):(?P<path>.+)$")


def split_destination(destination: str, root: Path = ROOT) -> tuple[str | None, str]:
    """``utente@host:/srv/x`` → ``("utente@host", "/srv/x")``; a local path → ``(None, abs)``."""
    match = _REMOTE.match(destination)
    if match and not Path(destination).exists():
        return match.group("host"), match.group("path").rstrip("/")
    path = Path(destination).expanduser()
    if not path.is_absolute():
        path = root / path
    # abspath, not resolve(): the destination is the live symlink, never what it points to.
    return None, os.path.abspath(path).rstrip("/")
