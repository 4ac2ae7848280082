"""rsync releases: upload a complete release, switch the live symlink, keep the last few.

Each publish uploads a complete release into ``blog.releases/<id>`` (files that did
not change are hard links to the previous release, so only changes travel), then
switches the ``blog`` symlink to it with one ``rename(2)``: a visitor gets the old site
or the new one, never a mix. The web server's root is ``blog`` itself. A first publish
over an existing real folder moves it into ``blog.releases/`` before linking. Remote
targets (``utente@server:/srv/www/blog``) need ssh, rsync and GNU coreutils (``mv -T``)
on the server.

- A site identical to the live release (same files, same bytes: an rsync dry run says
  nothing would change) adds no release: «già online, nessuna nuova versione».
- The last ``keep_releases`` stay for a rollback, and the release that was live before
  this publish always among them (also after a rollback made it an older one).
- A live folder that is gone (the link points at nothing) costs nothing else: the new
  release links to the newest one left, and every other stays.
- A rollback switches the symlink, in one rename, to the newest release older than the
  live one that differs from it (identical ones, left by earlier versions of this code,
  are skipped); with none, it says so and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from blog.publish.errors import DeployError
from blog.publish.target import DeployConfig, DeployResult, split_destination


def _release_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"


_PREPARE = r"""
set -eu
export LC_ALL=C
dest={dest}
releases="$dest.releases"
mkdir -p "$releases"
rm -rf "$releases"/.partial-*
if [ -L "$dest" ]; then
  current=$(readlink "$dest")
  current=${{current##*/}}
  echo "current=$current"
  if [ -d "$releases/$current" ]; then echo "present"; fi
fi
newest=$(ls -1 "$releases" | grep -v '^\.' | sort | tail -n 1)
echo "newest=$newest"
"""

# Keep the new release, the one live before it (``protect``) and the newest others, up to
# ``keep`` in all.
_ACTIVATE = r"""
set -eu
export LC_ALL=C
dest={dest}
id={release}
protect={protect}
releases="$dest.releases"
name=${{dest##*/}}
parent=${{dest%/*}}
[ -n "$parent" ] || parent=/
mv "$releases/.partial-$id" "$releases/$id"
if [ -e "$dest" ] && [ ! -L "$dest" ]; then
  protect=00000000T000000000Z-prima-della-pubblicazione
  mv "$dest" "$releases/$protect"
  echo "moved-legacy"
fi
cd "$parent"
ln -sfn "$name.releases/$id" ".$name.link-$id"
mv -T ".$name.link-$id" "$name"
left=$(({keep} - 1))
if [ -n "$protect" ] && [ "$protect" != "$id" ] && [ -d "$name.releases/$protect" ]; then
  left=$((left - 1))
fi
ls -1 "$name.releases" | grep -v '^\.' | sort -r | while read -r old; do
  if [ "$old" = "$id" ] || [ "$old" = "$protect" ]; then continue; fi
  if [ "$left" -gt 0 ]; then left=$((left - 1)); else rm -rf "$name.releases/$old"; fi
done
"""

# The same file options for every copy and comparison: without -t (a fresh build has
# fresh mtimes) files are compared by checksum; permissions are normalised.
_RSYNC = ["rsync", "--recursive", "--links", "--perms", "--chmod=D755,F644", "--checksum",
          "--delete"]


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


def _prepare(host: str | None, config: DeployConfig, quoted: str) -> dict[str, str]:
    prepared = _shell(host, config.ssh_port, _PREPARE.format(dest=quoted))
    if prepared.returncode != 0:
        raise DeployError(f"Non riesco a preparare {config.destination}: "
                          f"{prepared.stderr.strip() or prepared.stdout.strip()}")
    found = {"present": ""}
    for line in prepared.stdout.splitlines():
        key, equals, value = line.partition("=")
        found[key.strip()] = value.strip() if equals else "yes"
    return found


def _ssh_option(host: str | None, config: DeployConfig) -> list[str]:
    return [] if host is None else ["-e", f"ssh -p {config.ssh_port} -o BatchMode=yes"]


def _same_as_live(site: Path, host: str | None, config: DeployConfig, live: str) -> bool:
    """True when an rsync of ``site`` onto the live release would change nothing."""
    target = f"{live}/"
    cmd = [*_RSYNC, "--dry-run", "--itemize-changes", *_ssh_option(host, config),
           f"{site}/", f"{host}:{target}" if host else target]
    compared = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if compared.returncode != 0:
        raise DeployError(f"Non riesco a confrontare il sito con la versione online "
                          f"(rsync, codice {compared.returncode}); il sito online non è "
                          f"cambiato.\n{compared.stderr.strip()}")
    return not compared.stdout.strip()


def deploy_rsync(
    site: Path, config: DeployConfig, say: Callable[[str], None] = print,
) -> DeployResult:
    """Upload ``site`` as a new release and switch the live symlink to it (or, when the
    live release has the very same files, leave everything as it is)."""
    host, path = split_destination(config.destination)
    if host is None and not Path(path).parent.is_dir():
        raise DeployError(f"La cartella {Path(path).parent} non esiste: creala oppure correggi "
                          "DELEGA_DEPLOY_DEST.")
    quoted = shlex.quote(path)
    found = _prepare(host, config, quoted)
    current = found.get("current", "")
    releases = f"{path}.releases"
    live = current if current and found["present"] else ""
    if live and _same_as_live(site, host, config, f"{releases}/{live}"):
        return DeployResult(where=config.destination,
                            detail=f"già online, nessuna nuova versione (resta la versione {live})",
                            changed=False)
    if current and not live:
        say(f"      la versione online {current} non c’è più in {releases}/: ne pubblico una "
            "nuova, le altre restano")
    release = _release_id()
    link_dest = live or found.get("newest", "")
    # No -t: a fresh build has fresh mtimes, and --link-dest only links files whose
    # preserved attributes match. Unchanged files (by checksum) become hard links to
    # the previous release and keep its mtime, so browsers' and proxies' caches stay valid.
    cmd = [*_RSYNC, "--stats"]
    if link_dest:
        cmd.append(f"--link-dest={releases}/{link_dest}")
    cmd += _ssh_option(host, config)
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
        dest=quoted, release=shlex.quote(release), protect=shlex.quote(live),
        keep=int(config.keep_releases)))
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


_ROLLBACK = r"""
set -eu
export LC_ALL=C
dest={dest}
releases="$dest.releases"
name=${{dest##*/}}
parent=${{dest%/*}}
[ -n "$parent" ] || parent=/
if [ ! -L "$dest" ]; then echo "manca-link"; exit 3; fi
current=$(readlink "$dest")
current=${{current##*/}}
echo "current=$current"
present=no
if [ -d "$releases/$current" ]; then present=yes; else echo "live-missing=yes"; fi
older=$(ls -1 "$releases" | grep -v '^\.' | sort -r | awk -v c="$current" '$0 < c')
same=0
previous=""
for candidate in $older; do
  if [ "$present" = yes ]; then
    changes=$(rsync --dry-run --itemize-changes --recursive --links --perms --checksum \
      --delete "$releases/$candidate/" "$releases/$current/") || {{ echo "rsync-error"; exit 5; }}
    if [ -z "$changes" ]; then same=$((same + 1)); continue; fi
  fi
  previous=$candidate
  break
done
echo "same=$same"
if [ -z "$previous" ]; then echo "manca-precedente"; exit 4; fi
cd "$parent"
ln -sfn "$name.releases/$previous" ".$name.link-rollback"
mv -T ".$name.link-rollback" "$name"
echo "from=$current"
echo "to=$previous"
"""


def rollback_rsync(config: DeployConfig) -> DeployResult:
    """Switch the live symlink back to the newest older release that differs from the
    live one (one rename); raise :class:`DeployError` when there is none."""
    host, path = split_destination(config.destination)
    done = _shell(host, config.ssh_port, _ROLLBACK.format(dest=shlex.quote(path)))
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    same = int(values.get("same") or 0)
    if "manca-link" in done.stdout:
        raise DeployError(f"{config.destination} non è un link a una versione: non è mai stato "
                          "pubblicato con invoke publish, non c’è nulla da ripristinare.")
    if "manca-precedente" in done.stdout and same:
        raise DeployError(
            f"Le versioni più vecchie rimaste ({same}) hanno gli stessi file di quella online "
            f"({values.get('current')}): non c’è una versione precedente diversa da rimettere "
            "online. Il sito online non è cambiato.")
    if "manca-precedente" in done.stdout:
        raise DeployError(f"Online c’è la versione più vecchia rimasta ({values.get('current')}): "
                          "non c’è una versione precedente da rimettere online.")
    if done.returncode != 0:
        raise DeployError(f"Il ritorno alla versione precedente su {config.destination} non è "
                          f"riuscito: {done.stderr.strip()}\nIl sito online non è cambiato.")
    detail = f"versione {values['to']} (al posto di {values['from']}"
    if "live-missing" in values:
        detail += ", la cui cartella non c’era più"
    detail += ")"
    if same:
        detail += (", saltata 1 versione identica a quella online" if same == 1 else
                   f", saltate {same} versioni identiche a quella online")
    return DeployResult(where=config.destination, detail=detail)
