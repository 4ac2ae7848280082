"""Old WordPress addresses → new ones, written for every kind of host.

One mapping, three forms:

- ``content/wordpress-redirects.json``: the data; ``plugins/wordpress_redirects``
  turns it at build time into ``output/_redirects`` (Netlify, Cloudflare Pages and
  other static hosts) and into small HTML pages at the old addresses (refresh + canonical
  link) for hosts with neither;
- ``deploy/wordpress-redirects.map`` (``http {}`` level) and
  ``deploy/wordpress-redirects.conf`` (``server {}`` level) for nginx: real 301s,
  including ``/?p=123`` and ``/?page_id=45``.

Query-string addresses (``/?p=123``) only work where the server can match a query:
nginx (these files) and Netlify (``_redirects``). Cloudflare Pages, GitLab Pages,
GitHub Pages and a plain folder cannot: ``/?p=123`` shows the home page there.

Old addresses are normalised by the plugin's own rules (``wordpress_redirects.rules``:
one leading slash, percent-encoding as WordPress serves it); the nginx map holds them
decoded, as nginx's ``$uri`` is.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, field
from types import ModuleType

DATA_FILE = "wordpress-redirects.json"
NGINX_MAP = "wordpress-redirects.map"
NGINX_CONF = "wordpress-redirects.conf"


def rules() -> ModuleType:
    """``plugins/wordpress_redirects/rules.py``: the build's own rules for old addresses."""
    name = "wordpress_redirects.rules"
    if name not in sys.modules:
        from blog.build.settings import plugin_module
        from blog.paths import PLUGINS

        plugin_module("wordpress_redirects", {"PLUGIN_PATHS": [str(PLUGINS)]})
    return importlib.import_module(name)


@dataclass
class Redirects:
    paths: dict[str, str] = field(default_factory=dict)  # old path → new path
    queries: dict[str, dict[str, str]] = field(default_factory=dict)  # p → {123: new}
    why: dict[str, str] = field(default_factory=dict)  # old path → what it was (for notes)
    normalised: dict[str, str] = field(default_factory=dict)  # as found → as written
    base: str = ""  # the old blog's folder (``/blog`` for ``https://x.example/blog``)

    def add_site_path(self, path: str, new: str, why: str = "") -> None:
        """An address WordPress made under the blog's own folder (``/category/x/``)."""
        self.add_path(self.base + path, new, why)

    def add_path(self, old: str, new: str, why: str = "") -> None:
        address = rules().old_address(old)
        if address is None or address == new:
            return
        if address != old and rules().decoded(address) != old:
            self.normalised.setdefault(old, address)
        if address not in self.paths:
            self.paths[address] = new
            self.why[address] = why

    def add_query(self, name: str, value: str, new: str) -> None:
        self.queries.setdefault(name, {}).setdefault(value, new)

    def count(self) -> int:
        return len(self.paths) + sum(len(v) for v in self.queries.values())

    def data(self) -> str:
        payload = {
            "_": "Scritto da `invoke import-wordpress`: vecchi indirizzi di WordPress → nuovi. "
                 "Il plugin wordpress_redirects ne fa _redirects e pagine di reindirizzamento.",
            **({"base": self.base + "/"} if self.base else {}),
            "paths": dict(sorted(self.paths.items())),
            "queries": {k: dict(sorted(v.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit()
                                       else 0)) for k, v in sorted(self.queries.items())},
        }
        return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"

    def nginx_map(self) -> str:
        lines = [
            "# Old WordPress addresses → new ones (written by `invoke import-wordpress`).",
            "# Include inside `http {}`, before the server blocks, and include",
            f"# {NGINX_CONF} inside the site's `server {{}}`.",
            *self._bucket_size(),
            "map $uri $wordpress_redirect {",
            '    default "";',
        ]
        seen = set()
        for address, new in sorted(self.paths.items()):
            old = rules().decoded(address)
            for key in (old, old.rstrip("/")) if old.endswith("/") else (old,):
                if key and key not in seen:
                    seen.add(key)
                    lines.append(f"    {_quote(key)} {_quote(new)};")
        lines += ["}", "", "# /?p=123 and /?page_id=45 (other arguments, e.g. utm_*, are ignored).",
                  'map "$uri|$arg_p|$arg_page_id" $wordpress_redirect_query {', '    default "";']
        home = self.base + "/"
        for value, new in sorted(self.queries.get("p", {}).items()):
            lines.append(f"    {_quote(f'{home}|{value}|')} {_quote(new)};")
        for value, new in sorted(self.queries.get("page_id", {}).items()):
            lines.append(f"    {_quote(f'{home}||{value}')} {_quote(new)};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _bucket_size(self) -> list[str]:
        """WordPress slugs reach 200 bytes (more percent-decoded): nginx's default map
        buckets (64) then refuse to start ("could not build map_hash")."""
        longest = max((len(rules().decoded(k).encode()) for k in self.paths), default=0)
        size = 64
        while size < longest + 32:
            size *= 2
        if size == 64:
            return []
        return [f"# Old addresses up to {longest} bytes: bigger hash buckets (once per http {{}}).",
                f"map_hash_bucket_size {size};", ""]

    @staticmethod
    def nginx_conf() -> str:
        return (
            "# Old WordPress addresses (written by `invoke import-wordpress`): include inside the\n"
            f"# site's `server {{}}`; the maps are in {NGINX_MAP} (`http {{}}` level).\n"
            "if ($wordpress_redirect) {\n    return 301 $wordpress_redirect;\n}\n"
            "if ($wordpress_redirect_query) {\n    return 301 $wordpress_redirect_query;\n}\n"
        )


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
