"""What an old WordPress address is and when a redirect may be written: one definition.

The build (this plugin, on the real output folder) and ``invoke import-wordpress`` (on
the pages it predicts, before writing anything) apply the same rules:

- an old address is a path with exactly one leading slash and no doubled slashes
  (nginx merges them before matching; ``//greek/x`` is ``/greek/x``), percent-encoded as
  WordPress serves it: UTF-8, lower-case hex (``/%ce%ba%ce%b1/``), so that
  ``/%CE%BA%CE%B1/``, ``/κα/`` and ``/%ce%ba%ce%b1/`` are one address;
- a static host finds the refresh page of that address in the decoded folder
  (``output/κα/index.html``), and nginx matches the decoded ``$uri``;
- a redirect may point only at a page the build makes: ``/x/`` needs ``x/index.html``,
  ``/x.pdf`` needs ``x.pdf``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

# Characters WordPress leaves as they are in a path (RFC 3986 unreserved and sub-delims).
SAFE = "/-._~!$&'()*+,;=:@"
SLASHES = re.compile(r"/{2,}")
ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def old_address(path: str) -> str | None:
    """``path`` as one old address (see the module), or None when it is not one (the
    home page, an empty path, a full URL)."""
    if not path or "://" in path:
        return None
    path = path.split("#", 1)[0].split("?", 1)[0]
    plain = SLASHES.sub("/", "/" + unquote(path))
    if plain == "/":
        return None
    return ESCAPE.sub(lambda m: m.group(0).lower(), quote(plain, safe=SAFE))


def decoded(address: str) -> str:
    """The address as nginx's ``$uri`` and a static host's file system see it."""
    return unquote(address)


def folder_of(address: str) -> str:
    """The output folder of a refresh page at the old folder address ``address``."""
    return decoded(address).strip("/")


def target_exists(exists: Callable[[str], bool], target: str) -> bool:
    """Does the site have the page at ``target``? ``exists`` answers for an output path."""
    path = decoded(target).lstrip("/")
    if target.endswith("/") or not path:
        return exists(path + "index.html")
    return exists(path)
