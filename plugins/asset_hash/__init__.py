"""Fingerprinted theme assets: ``site.css`` is published as ``site.1a2b3c4d5e.css``.

A name that changes whenever the bytes change can be cached for a year as
``immutable`` (deploy/nginx.conf, ``_headers``): a new release never meets a stale
stylesheet, and a returning reader downloads nothing that did not change.

Templates call the Jinja global ``asset_url``::

    <link rel="stylesheet" href="{{ SITEURL }}/{{ asset_url('css/site.css') }}">

which returns ``theme/css/site.<hash>.css`` (``THEME_STATIC_DIR`` included, no
``SITEURL``) and writes that file into the output. ``theme_assets()`` does the same for
every CSS and JS file of the theme and returns ``{"search-js": url, "site-css": url…}``
for scripts that load others lazily (enhance.js reads ``data-search-js``…).

The fingerprinted copy is minified (CSS with rcssmin, JS with rjsmin: comments and
indentation go, nothing is renamed) and its name carries the first 10 hex digits of the
SHA-256 of exactly those bytes. Once the build has finished, every theme file that got a
fingerprinted twin is removed under its plain name, so only the name pages point at is
published; files no template asked for keep their names. The filesystem is the only
state: nothing outlives a build.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pelican import signals

DIGITS = 10
FINGERPRINTED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{DIGITS}}})(?P<suffix>\.[^./]+)$")


class AssetNotFound(Exception):
    """A template asked for a theme file that does not exist."""


def fingerprint(data: bytes) -> str:
    """The content hash put into file names."""
    return hashlib.sha256(data).hexdigest()[:DIGITS]


def publishable(name: str, data: bytes) -> bytes:
    """The bytes published under the fingerprinted name: CSS and JS minified."""
    if name.endswith(".css"):
        import rcssmin

        return rcssmin.cssmin(data.decode("utf-8")).encode("utf-8")
    if name.endswith(".js"):
        import rjsmin

        return rjsmin.jsmin(data.decode("utf-8")).encode("utf-8")
    return data


def hashed_name(name: str, data: bytes) -> str:
    """``site.css`` + bytes → ``site.<hash>.css``."""
    path = Path(name)
    return str(path.with_name(f"{path.stem}.{fingerprint(data)}{path.suffix}"))


def _theme_source(settings: dict, relative: str) -> Path:
    theme = Path(settings["THEME"])
    for folder in settings.get("THEME_STATIC_PATHS", ["static"]):
        candidate = theme / folder / relative
        if candidate.is_file():
            return candidate
    raise AssetNotFound(
        f"asset_url('{relative}'): il file non esiste in {theme}/static/ "
        "(controlla il nome nel template)")


def make_asset_url(settings: dict):
    """The ``asset_url`` function for one build's settings."""
    static_dir = str(settings.get("THEME_STATIC_DIR", "theme")).strip("/")
    output = Path(settings["OUTPUT_PATH"])
    # This build's answers (every page asks for the same few files: minifying and hashing
    # them once per page was a fifth of a 1,000-post build). Lives as long as the build.
    done: dict[str, str] = {}

    def asset_url(relative: str) -> str:
        relative = relative.lstrip("/")
        if relative in done:
            return done[relative]
        data = publishable(relative, _theme_source(settings, relative).read_bytes())
        url = f"{static_dir}/{hashed_name(relative, data)}"
        target = output / url
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        done[relative] = url
        return url

    return asset_url


def make_theme_assets(settings: dict, asset_url):
    """The ``theme_assets`` function: every theme CSS/JS file by its fingerprinted URL."""
    theme = Path(settings["THEME"])
    done: dict[str, str] = {}  # this build's answer, computed for the first page

    def theme_assets() -> dict[str, str]:
        if done:
            return dict(done)
        found: dict[str, str] = {}
        for folder in settings.get("THEME_STATIC_PATHS", ["static"]):
            base = theme / folder
            for path in sorted(base.rglob("*")):
                if path.suffix in (".css", ".js") and path.is_file():
                    relative = path.relative_to(base).as_posix()
                    key = f"{path.stem}-{path.suffix[1:]}"
                    found.setdefault(key, asset_url(relative))
        done.update(found)
        return found

    return theme_assets


def add_function(generator) -> None:
    asset_url = make_asset_url(generator.settings)
    generator.env.globals["asset_url"] = asset_url
    generator.env.globals["theme_assets"] = make_theme_assets(generator.settings, asset_url)


def drop_plain_twins(output: Path) -> list[Path]:
    """Remove each file that has a fingerprinted twin with its current hash, and older
    fingerprinted copies of it (an output folder reused between builds). Returns the
    removed plain files."""
    removed = []
    if not output.is_dir():
        return removed
    for twin in sorted(output.rglob("*")):
        match = FINGERPRINTED.match(twin.name)
        if not match or not twin.is_file():
            continue
        plain = twin.with_name(match["stem"] + match["suffix"])
        if plain.is_file() and fingerprint(publishable(plain.name, plain.read_bytes())) == (
                match["hash"]):
            for stale in plain.parent.glob(f"{match['stem']}.*{match['suffix']}"):
                old = FINGERPRINTED.match(stale.name)
                if old and old["stem"] == match["stem"] and old["hash"] != match["hash"]:
                    stale.unlink()
            plain.unlink()
            removed.append(plain)
    return removed


def finalize(pelican) -> None:
    # Every fingerprinted file exists even when no page was rendered in this build (the
    # render memo took them all from the live site): templates cannot be the only writer.
    make_theme_assets(pelican.settings, make_asset_url(pelican.settings))()
    static_dir = str(pelican.settings.get("THEME_STATIC_DIR", "theme")).strip("/")
    drop_plain_twins(Path(pelican.output_path) / static_dir)


def register() -> None:
    signals.generator_init.connect(add_function)
    signals.finalized.connect(finalize)
