"""gh-pages: commit the site onto the branch with ghp-import and push it; roll back.

``destination`` is a remote name of this repository such as ``origin``, or a git URL or
path. ghp-import commits the site onto the branch in a private repository under
``.cache/deploy/``, on top of the branch's current remote history (fetched every time, so
``invoke clean`` removing that repository costs no version), and we push it: a push moves
the branch in one step. The author's own branches are not touched.

- A site whose tree is the live tip's adds no commit: «già online, nessuna nuova versione».
- A rollback is one more commit on the branch, with the tree of the newest earlier
  version that differs from the live one (identical ones are skipped); with none, it says
  so and pushes nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from blog.paths import ROOT
from blog.publish.errors import DeployError
from blog.publish.target import DeployConfig, DeployResult


def _git(*args: str, git_dir: Path | None = None, cwd: Path | None = None,
         env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    base = ["git"] + (["--git-dir", str(git_dir)] if git_dir else [])
    return subprocess.run([*base, *args], cwd=cwd, capture_output=True, text=True,
                          check=False, env=dict(env) if env is not None else None)


def resolve_remote(destination: str, root: Path = ROOT) -> str:
    """A remote name of the project repository → its URL; a URL or path → itself."""
    if re.fullmatch(r"[A-Za-z0-9._-]+", destination) and not (root / destination).exists():
        found = _git("remote", "get-url", destination, cwd=root)
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
        raise DeployError(
            f"«{destination}» non è un remote di questo repository git (git remote -v) né un "
            "indirizzo: usa per esempio git@github.com:utente/blog.git.")
    if "://" in destination or re.match(r"^[^/]+@[^/]+:", destination):
        return destination
    path = Path(destination).expanduser()
    return str(path if path.is_absolute() else (root / path).resolve())


def _identity(root: Path, settings: Mapping[str, Any]) -> dict[str, str]:
    def config(key: str) -> str:
        found = _git("config", key, cwd=root)
        return found.stdout.strip() if found.returncode == 0 else ""

    name = config("user.name") or str(settings.get("AUTHOR") or "Pubblicazione")
    email = config("user.email") or str(settings.get("CONTACT_EMAIL") or "publish@localhost")
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def _scratch_repository(root: Path) -> Path:
    """The private bare repository where gh-pages commits are made."""
    scratch = root / ".cache" / "deploy" / "gh-pages.git"
    if not (scratch / "HEAD").exists():
        scratch.parent.mkdir(parents=True, exist_ok=True)
        created = _git("init", "--bare", "--quiet", str(scratch))
        if created.returncode != 0:
            raise DeployError(f"git init non è riuscito: {created.stderr.strip()}")
    return scratch


def deploy_gh_pages(
    site: Path, config: DeployConfig, settings: Mapping[str, Any], root: Path = ROOT,
    say: Callable[[str], None] = print,
) -> DeployResult:
    """Commit ``site`` onto the gh-pages branch with ghp-import and push it."""
    url = resolve_remote(config.destination, root)
    scratch = _scratch_repository(root)
    _git("remote", "remove", "target", git_dir=scratch)
    _git("remote", "add", "target", url, git_dir=scratch)
    branch = config.branch
    tracking = f"refs/remotes/target/{branch}"
    fetched = _git("fetch", "--quiet", "target", f"+refs/heads/{branch}:{tracking}",
                   git_dir=scratch)
    if fetched.returncode != 0:
        if "couldn't find remote ref" not in fetched.stderr:
            raise DeployError(f"Non riesco a leggere {url}: {fetched.stderr.strip()}\n"
                              "Il sito online non è cambiato.")
        say(f"      primo invio: il ramo {branch} non esiste ancora su {config.destination}")
        _git("update-ref", "-d", tracking, git_dir=scratch)
        _git("update-ref", "-d", f"refs/heads/{branch}", git_dir=scratch)
    source = _git("rev-parse", "--short", "HEAD", cwd=root)
    origin = f" (sorgenti {source.stdout.strip()})" if source.returncode == 0 else ""
    message = f"Pubblicazione del sito{origin}"
    # Committed here only (ghp-import rebases the local branch on the fetched one first);
    # pushed below unless the tree is the live one.
    cmd = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--remote", "target",
           "--branch", branch, "--message", message]
    if config.cname:
        cmd += ["--cname", config.cname]
    env = os.environ | {"GIT_DIR": str(scratch)} | _identity(root, settings)
    result = subprocess.run([*cmd, str(site)], capture_output=True, text=True, check=False,
                            env=env, cwd=root)
    if result.returncode != 0:
        raise DeployError(
            f"ghp-import non è riuscito a pubblicare su {config.destination}: "
            f"{(result.stderr or result.stdout).strip()}\nIl ramo {branch} online non è cambiato.")
    local = f"refs/heads/{branch}"
    live = _git("rev-parse", "--verify", "--quiet", tracking, git_dir=scratch).stdout.strip()
    if live and _tree(scratch, local) == _tree(scratch, live):
        _git("update-ref", local, live, git_dir=scratch)  # the commit just made is dropped
        return DeployResult(where=config.describe(),
                            detail=f"già online, nessuna nuova versione (resta il commit "
                                   f"{live[:7]})", changed=False)
    pushed = _git("push", "--quiet", "target", f"{local}:{local}", git_dir=scratch,
                  env=os.environ | _GIT_QUIET)
    if pushed.returncode != 0:
        raise DeployError(f"L’invio a {url} non è riuscito: {pushed.stderr.strip()}\n"
                          f"Il ramo {branch} online non è cambiato.")
    head = _git("rev-parse", local, git_dir=scratch).stdout.strip()
    _git("update-ref", tracking, head, git_dir=scratch)
    return DeployResult(where=config.describe(), detail=f"commit {head[:7]}")


def _tree(scratch: Path, commit: str) -> str:
    return _git("rev-parse", f"{commit}^{{tree}}", git_dir=scratch).stdout.strip()


_GIT_QUIET = {"GIT_TERMINAL_PROMPT": "0",
              "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=15"}


def preflight_gh_pages(config: DeployConfig, root: Path = ROOT) -> str:
    """Read the remote and let it accept a dry-run push; raise :class:`DeployError`."""
    url = resolve_remote(config.destination, root)
    env = os.environ | _GIT_QUIET
    listed = _git("ls-remote", "--heads", url, cwd=root, env=env)
    if listed.returncode != 0:
        raise DeployError(f"Non raggiungo il repository {url}: {listed.stderr.strip()}\n"
                          "Niente è stato costruito né inviato.")
    local = Path(url)
    if local.is_dir():
        for sub in ("", "objects", "refs"):
            folder = local / sub if (local / "objects").is_dir() else local / ".git" / sub
            if not os.access(folder, os.W_OK):
                raise DeployError(f"Non posso scrivere nel repository {url} ({folder}).\n"
                                  "Niente è stato costruito né inviato.")
    head = _git("rev-parse", "HEAD", cwd=root)
    if head.returncode == 0:
        probe = _git("push", "--dry-run", "--force", "--quiet", url,
                     f"{head.stdout.strip()}:refs/heads/{config.branch}-prova-scrittura",
                     cwd=root, env=env)
        if probe.returncode != 0:
            raise DeployError(f"Il repository {url} non accetta invii: {probe.stderr.strip()}\n"
                              "Niente è stato costruito né inviato.")
    return f"{url} raggiungibile e scrivibile"


ROLLBACK_TRAILER = "Rollback-To:"


def rollback_gh_pages(config: DeployConfig, settings: Mapping[str, Any], root: Path = ROOT,
                      ) -> DeployResult:
    """One commit on the branch with the tree of the release before the live one."""
    url = resolve_remote(config.destination, root)
    scratch = _scratch_repository(root)
    branch = config.branch
    tracking = f"refs/remotes/target/{branch}"
    _git("remote", "remove", "target", git_dir=scratch)
    _git("remote", "add", "target", url, git_dir=scratch)
    fetched = _git("fetch", "--quiet", "target", f"+refs/heads/{branch}:{tracking}",
                   git_dir=scratch, env=os.environ | _GIT_QUIET)
    if fetched.returncode != 0:
        raise DeployError(f"Non riesco a leggere il ramo {branch} di {url}: "
                          f"{fetched.stderr.strip()}\nIl sito online non è cambiato.")
    tip = _git("rev-parse", tracking, git_dir=scratch).stdout.strip()
    message = _git("log", "-1", "--format=%B", tip, git_dir=scratch).stdout
    base = tip
    for line in message.splitlines():
        if line.startswith(ROLLBACK_TRAILER):
            base = line.removeprefix(ROLLBACK_TRAILER).strip()
    target, same = _previous_different(scratch, base, _tree(scratch, tip))
    if target is None and same:
        raise DeployError(
            f"Le versioni più vecchie del ramo {branch} ({same}) hanno gli stessi file di "
            "quella online: non c’è una versione precedente diversa da rimettere online. "
            f"Il ramo {branch} online non è cambiato.")
    if target is None:
        raise DeployError(f"Online c’è la versione più vecchia del ramo {branch}: non c’è una "
                          "versione precedente da rimettere online.")
    short = target[:7]
    env = os.environ | _identity(root, settings)
    commit = _git("commit-tree", f"{target}^{{tree}}", "-p", tip, "-m",
                  f"Ritorno alla versione precedente ({short})", "-m",
                  f"{ROLLBACK_TRAILER} {target}", git_dir=scratch, env=env)
    if commit.returncode != 0:
        raise DeployError(f"git commit-tree non è riuscito: {commit.stderr.strip()}")
    new = commit.stdout.strip()
    pushed = _git("push", "--quiet", "target", f"{new}:refs/heads/{branch}", git_dir=scratch,
                  env=os.environ | _GIT_QUIET)
    if pushed.returncode != 0:
        raise DeployError(f"L’invio a {url} non è riuscito: {pushed.stderr.strip()}\n"
                          f"Il ramo {branch} online non è cambiato.")
    _git("update-ref", tracking, new, git_dir=scratch)
    detail = f"commit {new[:7]} con i file della versione {short}"
    if same:
        detail += (", saltata 1 versione identica a quella online" if same == 1 else
                   f", saltate {same} versioni identiche a quella online")
    return DeployResult(where=config.describe(), detail=detail)


def _previous_different(scratch: Path, base: str, live_tree: str) -> tuple[str | None, int]:
    """The newest first-parent ancestor of ``base`` (itself excluded) whose tree is not
    ``live_tree``, and how many identical ones were passed on the way."""
    history = _git("log", "--first-parent", "--format=%H %T", f"{base}^", git_dir=scratch)
    if history.returncode != 0:  # base is the branch's first commit
        return None, 0
    same = 0
    for line in history.stdout.splitlines():
        commit, tree = line.split()
        if tree != live_tree:
            return commit, same
        same += 1
    return None, same
