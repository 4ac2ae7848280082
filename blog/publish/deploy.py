"""Deploy a finished site atomically: rsync releases behind a symlink, or a gh-pages push.

The author sets the target in ``publishconf.py`` (``DEPLOY``) or in the environment
(``DELEGA_DEPLOY``, ``DELEGA_DEPLOY_DEST``, ``DELEGA_DEPLOY_SSH_PORT``).

rsync (``destination`` = ``/srv/www/blog`` or ``utente@server:/srv/www/blog``)
    Each publish uploads a complete release into ``blog.releases/<id>`` (files that
    did not change are hard links to the previous release, so only changes travel),
    then switches the ``blog`` symlink to it with one ``rename(2)``: a visitor gets the
    old site or the new one, never a mix. The last ``keep_releases`` stay for a rollback.
    The web server's root is ``blog`` itself. A first publish over an existing real
    folder moves it into ``blog.releases/`` before linking. Remote targets need
    ssh, rsync and GNU coreutils (``mv -T``) on the server. A rollback switches the
    symlink back to the release before the live one, again in one rename.

gh-pages (``destination`` = a remote name of this repository such as ``origin``, or a
git URL or path)
    ghp-import commits the site onto the branch in a private repository under
    ``.cache/deploy/``, on top of the branch's current remote history, and pushes it:
    a push moves the branch in one step. The author's own branches are not touched.
    A rollback is one more commit on the branch, with the tree of the previous release.

Before anything is built, :func:`preflight` proves the target reachable and writable
(rsync: writes and removes a probe file where the releases go; gh-pages: reads the
remote and asks it to accept a push in ``--dry-run``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blog.paths import ROOT

METHODS = ("rsync", "gh-pages")


class DeployError(Exception):
    """Deploying failed; the message is Italian and says what to do."""


HOW_TO_CONFIGURE = """\
Non so dove pubblicare il sito: manca la destinazione.
Scegli un metodo in publishconf.py (DEPLOY = {{"method": …, "destination": …}}) oppure
nell’ambiente, per esempio:

  # su un server con nginx (via ssh) o in una cartella di questo computer
  DELEGA_DEPLOY=rsync DELEGA_DEPLOY_DEST=utente@server.example:/srv/www/blog invoke publish
  # sul ramo gh-pages di GitHub Pages (il remote «origin» di questo repository)
  DELEGA_DEPLOY=gh-pages DELEGA_DEPLOY_DEST=origin invoke publish

{problem}Per una prova generale senza pubblicare nulla: invoke publish --dry-run"""


@dataclass(frozen=True)
class DeployConfig:
    """Where and how to deploy."""

    method: str
    destination: str
    ssh_port: int = 22
    branch: str = "gh-pages"
    keep_releases: int = 5
    cname: str = ""

    def describe(self) -> str:
        if self.method == "gh-pages":
            return f"ramo {self.branch} di {self.destination}"
        return f"{self.destination} (rsync)"


def read_settings(settings_file: Path) -> dict[str, Any]:
    """The upper-case names of a Pelican settings file, without Pelican's defaults."""
    from pelican.settings import get_settings_from_file

    return dict(get_settings_from_file(str(settings_file)))


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
    return DeployConfig(
        method=method, destination=destination, ssh_port=port,
        branch=str(raw.get("branch") or "gh-pages"), keep_releases=max(2, keep),
        cname=str(raw.get("cname") or ""),
    )


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did, for the summary line."""

    where: str
    detail: str


# --------------------------------------------------------------------------- rsync


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


def _release_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"


_PREPARE = r"""
set -eu
dest={dest}
releases="$dest.releases"
mkdir -p "$releases"
rm -rf "$releases"/.partial-*
if [ -L "$dest" ]; then
  current=$(readlink "$dest")
  echo "current=${{current##*/}}"
fi
"""

_ACTIVATE = r"""
set -eu
dest={dest}
id={release}
releases="$dest.releases"
name=${{dest##*/}}
parent=${{dest%/*}}
[ -n "$parent" ] || parent=/
mv "$releases/.partial-$id" "$releases/$id"
if [ -e "$dest" ] && [ ! -L "$dest" ]; then
  mv "$dest" "$releases/00000000T000000000Z-prima-della-pubblicazione"
  echo "moved-legacy"
fi
cd "$parent"
ln -sfn "$name.releases/$id" ".$name.link-$id"
mv -T ".$name.link-$id" "$name"
ls -1 "$name.releases" | grep -v '^\.' | sort -r | tail -n +{keep_from} | while read -r old; do
  rm -rf "$name.releases/$old"
done
"""


def _shell(host: str | None, port: int, script: str) -> subprocess.CompletedProcess:
    cmd = ["sh", "-s"] if host is None else [
        "ssh", "-p", str(port), "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", host,
        "sh", "-s"]
    try:
        return subprocess.run(cmd, input=script, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise DeployError(f"Manca il comando «{cmd[0]}»: installalo (apt-get install "
                          "openssh-client) oppure pubblica in una cartella locale.") from None


_PROBE = r"""
set -u
dest={dest}
releases="$dest.releases"
parent=${{dest%/*}}
[ -n "$parent" ] || parent=/
if [ ! -d "$parent" ]; then echo "la cartella $parent non esiste"; exit 3; fi
if ! command -v rsync >/dev/null 2>&1; then echo "rsync non è installato lì"; exit 3; fi
if [ -e "$releases" ] && [ ! -d "$releases" ]; then echo "$releases non è una cartella"; exit 3; fi
if [ ! -d "$releases" ]; then
  mkdir "$releases" 2>/dev/null || {{ echo "non posso creare $releases"; exit 3; }}
fi
for dir in "$releases" "$parent"; do
  probe="$dir/.prova-scrittura-$$"
  if ! ( : > "$probe" ) 2>/dev/null; then echo "non posso scrivere in $dir"; exit 3; fi
  rm -f "$probe"
done
echo ok
"""


def preflight_rsync(config: DeployConfig) -> str:
    """Prove the rsync target reachable and writable; raise :class:`DeployError`."""
    host, path = split_destination(config.destination)
    probed = _shell(host, config.ssh_port, _PROBE.format(dest=shlex.quote(path)))
    if probed.returncode == 0 and probed.stdout.strip().endswith("ok"):
        return f"{config.destination} raggiungibile e scrivibile"
    reason = (probed.stdout.strip() or probed.stderr.strip()).splitlines()
    reason_text = reason[-1] if reason else f"codice {probed.returncode}"
    if host is not None and probed.returncode == 255:
        raise DeployError(f"Non raggiungo {host} via ssh: {reason_text}\n"
                          "Niente è stato costruito né inviato; controlla la rete, il nome del "
                          "server e la chiave ssh (ssh " + host + ").")
    raise DeployError(f"Non posso pubblicare in {config.destination}: {reason_text}.\n"
                      "Niente è stato costruito né inviato: correggi DELEGA_DEPLOY_DEST o i "
                      "permessi della cartella.")


def preflight(config: DeployConfig, root: Path = ROOT) -> str:
    """Check the target before any build; return a short Italian line, or raise."""
    if config.method == "gh-pages":
        return preflight_gh_pages(config, root)
    return preflight_rsync(config)


def deploy_rsync(
    site: Path, config: DeployConfig, say: Callable[[str], None] = print,
) -> DeployResult:
    """Upload ``site`` as a new release and switch the live symlink to it."""
    host, path = split_destination(config.destination)
    if host is None and not Path(path).parent.is_dir():
        raise DeployError(f"La cartella {Path(path).parent} non esiste: creala oppure correggi "
                          "DELEGA_DEPLOY_DEST.")
    quoted = shlex.quote(path)
    prepared = _shell(host, config.ssh_port, _PREPARE.format(dest=quoted))
    if prepared.returncode != 0:
        raise DeployError(f"Non riesco a preparare {config.destination}: "
                          f"{prepared.stderr.strip() or prepared.stdout.strip()}")
    current = ""
    for line in prepared.stdout.splitlines():
        if line.startswith("current="):
            current = line.removeprefix("current=").strip()
    release = _release_id()
    releases = f"{path}.releases"
    # No -t: a fresh build has fresh mtimes, and --link-dest only links files whose
    # preserved attributes match. Unchanged files (by checksum) become hard links to
    # the previous release and keep its mtime, so browsers' and proxies' caches stay valid.
    cmd = ["rsync", "--recursive", "--links", "--perms", "--chmod=D755,F644", "--checksum",
           "--delete", "--stats"]
    if current:
        cmd.append(f"--link-dest={releases}/{current}")
    if host is not None:
        cmd += ["-e", f"ssh -p {config.ssh_port} -o BatchMode=yes"]
    target = f"{releases}/.partial-{release}/"
    cmd += [f"{site}/", f"{host}:{target}" if host else target]
    if sys.stdout.isatty():
        cmd.insert(1, "--info=progress2")
    result = subprocess.run(cmd, capture_output=not sys.stdout.isatty(), text=True, check=False)
    if result.returncode != 0:
        raise DeployError(f"rsync non è riuscito (codice {result.returncode}); il sito online "
                          f"non è cambiato.\n{(result.stderr or '').strip()}")
    stats = _rsync_stats(result.stdout or "")
    activated = _shell(host, config.ssh_port, _ACTIVATE.format(
        dest=quoted, release=shlex.quote(release), keep_from=config.keep_releases + 1))
    if activated.returncode != 0:
        raise DeployError(f"Non riesco ad attivare la nuova versione su {config.destination}: "
                          f"{activated.stderr.strip()}\nIl sito online non è cambiato.")
    if "moved-legacy" in activated.stdout:
        say(f"      la vecchia cartella {path} è ora in {releases}/ (sostituita dal link)")
    detail = f"versione {release}"
    if stats:
        detail += f", {stats}"
    return DeployResult(where=config.destination, detail=detail)


def _rsync_stats(output: str) -> str:
    def number(label: str) -> int | None:
        match = re.search(rf"^{label}: ([\d,.]+)", output, re.M)
        return int(re.sub(r"[,.]", "", match.group(1))) if match else None

    files = number("Number of regular files transferred")
    size = number("Total transferred file size")
    regular = re.search(r"^Number of files: .*?\breg: ([\d,.]+)", output, re.M)
    total = int(re.sub(r"[,.]", "", regular.group(1))) if regular else None
    if files is None:
        return ""
    from blog.report import plural, size_it

    sent = f"{plural(files, 'file inviato', 'file inviati')} ({size_it(size or 0)})"
    if total is not None and total > files:
        sent += ", gli altri collegati alla versione precedente"
    return sent


# --------------------------------------------------------------------------- gh-pages


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
    cmd = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--push", "--remote", "target",
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
    head = _git("rev-parse", "--short", f"refs/heads/{branch}", git_dir=scratch)
    return DeployResult(where=config.describe(), detail=f"commit {head.stdout.strip()}")


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


def deploy(site: Path, config: DeployConfig, settings: Mapping[str, Any],
           say: Callable[[str], None] = print) -> DeployResult:
    """Send ``site`` to the configured target."""
    if config.method == "gh-pages":
        return deploy_gh_pages(site, config, settings, say=say)
    return deploy_rsync(site, config, say=say)


# --------------------------------------------------------------------------- rollback


_ROLLBACK = r"""
set -eu
dest={dest}
releases="$dest.releases"
name=${{dest##*/}}
parent=${{dest%/*}}
[ -n "$parent" ] || parent=/
if [ ! -L "$dest" ]; then echo "manca-link"; exit 3; fi
current=$(readlink "$dest")
current=${{current##*/}}
previous=$(ls -1 "$releases" | grep -v '^\.' | sort | awk -v c="$current" '$0 < c' | tail -n 1)
if [ -z "$previous" ]; then echo "current=$current"; echo "manca-precedente"; exit 4; fi
cd "$parent"
ln -sfn "$name.releases/$previous" ".$name.link-rollback"
mv -T ".$name.link-rollback" "$name"
echo "from=$current"
echo "to=$previous"
"""


def rollback_rsync(config: DeployConfig) -> DeployResult:
    """Switch the live symlink back to the release before the live one (one rename)."""
    host, path = split_destination(config.destination)
    done = _shell(host, config.ssh_port, _ROLLBACK.format(dest=shlex.quote(path)))
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    if "manca-link" in done.stdout:
        raise DeployError(f"{config.destination} non è un link a una versione: non è mai stato "
                          "pubblicato con invoke publish, non c’è nulla da ripristinare.")
    if "manca-precedente" in done.stdout:
        raise DeployError(f"Online c’è la versione più vecchia rimasta ({values.get('current')}): "
                          "non c’è una versione precedente da rimettere online.")
    if done.returncode != 0:
        raise DeployError(f"Il ritorno alla versione precedente su {config.destination} non è "
                          f"riuscito: {done.stderr.strip()}\nIl sito online non è cambiato.")
    return DeployResult(where=config.destination,
                        detail=f"versione {values['to']} (al posto di {values['from']})")


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
    previous = _git("rev-parse", "--verify", "--quiet", f"{base}^", git_dir=scratch)
    if previous.returncode != 0:
        raise DeployError(f"Il ramo {branch} ha una sola versione: non c’è una versione "
                          "precedente da rimettere online.")
    target = previous.stdout.strip()
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
    return DeployResult(where=config.describe(),
                        detail=f"commit {new[:7]} con i file della versione {short}")


def rollback(config: DeployConfig, settings: Mapping[str, Any]) -> DeployResult:
    """Put the previous release live again: one symlink switch or one gh-pages commit."""
    if config.method == "gh-pages":
        return rollback_gh_pages(config, settings)
    return rollback_rsync(config)
