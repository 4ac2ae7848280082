"""The site's HTTP security headers: one source of truth, three renderings.

``SECURITY_HEADERS`` is the only place where the values live. From it come
- ``_headers`` in the published site (Netlify / Cloudflare Pages syntax),
- ``deploy/security-headers.conf`` (nginx ``add_header`` lines, regenerated with
  ``invoke headers`` and checked by the tests to match), and
  ``deploy/security-headers-author-pages.conf``, the same minus the two headers
  Isso's author pages set differently (their own CSP, ``Referrer-Policy: no-referrer``),
- the ``<meta http-equiv>`` policy of a GitHub Pages build, which sends no headers,
- the development server's headers (``invoke livereload``), which relax only what
  plain http on 127.0.0.1 and the live-reload script need.

The Content-Security-Policy allows exactly what the site uses, all from its own origin:
its stylesheets and scripts, Pagefind's worker and WebAssembly (``'wasm-unsafe-eval'``),
and requests to the same origin (Pagefind's index, Isso's ``/isso/`` API). Nothing
third-party, no inline script, no inline style.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from collections.abc import Iterable, Mapping
from pathlib import Path

from blog.paths import ROOT

NGINX_CONF = ROOT / "deploy" / "security-headers.conf"
NGINX_AUTHOR_CONF = ROOT / "deploy" / "security-headers-author-pages.conf"
# Set by deploy/nginx.conf's author-pages location itself (see blog.comments.isso).
AUTHOR_PAGES_OWN = ("Content-Security-Policy", "Referrer-Policy")
# Directives a browser ignores in a <meta> policy (CSP Level 3, §"meta element").
META_IGNORED = ("frame-ancestors", "report-uri", "report-to", "sandbox")
HEADERS_FILE = "_headers"

CSP_DIRECTIVES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("default-src", ("'self'",)),
    ("script-src", ("'self'", "'wasm-unsafe-eval'")),
    ("style-src", ("'self'",)),
    ("img-src", ("'self'",)),
    ("font-src", ("'self'",)),
    ("connect-src", ("'self'",)),
    ("worker-src", ("'self'",)),
    ("manifest-src", ("'self'",)),
    ("media-src", ("'self'",)),
    ("frame-src", ("'none'",)),
    ("object-src", ("'none'",)),
    ("base-uri", ("'self'",)),
    ("form-action", ("'self'",)),
    ("frame-ancestors", ("'none'",)),
    ("upgrade-insecure-requests", ()),
)

PERMISSIONS = (
    "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
)


def content_security_policy(
    directives: Iterable[tuple[str, tuple[str, ...]]] = CSP_DIRECTIVES,
) -> str:
    """Serialise CSP directives: ``default-src 'self'; script-src …``."""
    return "; ".join(" ".join((name, *values)) for name, values in directives)


SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": content_security_policy(),
    # One year, this host only: subdomains are the author's business, not the blog's.
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": ", ".join(f"{feature}=()" for feature in PERMISSIONS),
}


def script_hash(script: bytes) -> str:
    """The CSP source that allows exactly this inline ``<script>`` body."""
    return "'sha256-" + b64encode(hashlib.sha256(script).digest()).decode() + "'"


def development_headers(
    inline_scripts: Iterable[bytes] = (), connect: Iterable[str] = ()
) -> dict[str, str]:
    """The production headers adapted to ``http://127.0.0.1``: no HSTS, no upgrade,
    plus the hashes of the dev server's own inline scripts and its websocket."""
    hashes = tuple(script_hash(s) for s in inline_scripts)
    extra_connect = tuple(connect)
    directives = []
    for name, values in CSP_DIRECTIVES:
        if name == "upgrade-insecure-requests":
            continue
        if name == "script-src":
            values = (*values, *hashes)
        elif name == "connect-src":
            values = (*values, *extra_connect)
        directives.append((name, values))
    headers = dict(SECURITY_HEADERS)
    headers.pop("Strict-Transport-Security")
    headers["Content-Security-Policy"] = content_security_policy(directives)
    return headers


def author_pages_headers(headers: Mapping[str, str] = SECURITY_HEADERS) -> dict[str, str]:
    """The headers Isso's author pages share with the site (all but their own two)."""
    return {name: value for name, value in headers.items() if name not in AUTHOR_PAGES_OWN}


def meta_content_security_policy() -> str:
    """The policy as a ``<meta http-equiv>`` can carry it (no ``frame-ancestors``)."""
    return content_security_policy(
        (name, values) for name, values in CSP_DIRECTIVES if name not in META_IGNORED)


IMMUTABLE = "public, max-age=31536000, immutable"
# Files whose name carries a hash of their content: in these folders every file, the
# theme's CSS and JS (plugins/asset_hash) and Pagefind's index; the index's merged parts,
# whose folder name is a digest of the pages they index (blog/build/search.py); and the
# kit's scripts, pdf.js as pdf.min.<hash>.js (plugins/kit_pdf/vendor.py; not the kit's PDF
# and pictures, which keep their names). deploy/nginx.conf's map says the same.
FINGERPRINTED_PATHS = ("/theme/css/*", "/theme/js/*", "/pagefind/fragment/*",
                       "/pagefind/index/*", "/pagefind/filter/*", "/pagefind/parte-*",
                       "/kit/*.js")


def render_headers_file(headers: Mapping[str, str] = SECURITY_HEADERS) -> str:
    """``_headers`` for Netlify and Cloudflare Pages: the security headers on every
    path, and a year as ``immutable`` for fingerprinted files (both hosts apply every
    rule that matches; no header is set by two rules, so none is merged)."""
    lines = [
        "# Security headers for every page. Generated by invoke publish from",
        "# blog/headers.py (the same values as deploy/security-headers.conf).",
        "/*",
    ]
    lines += [f"  {name}: {value}" for name, value in headers.items()]
    lines += ["", "# File names with a hash of their content never change: cache them a year."]
    for path in FINGERPRINTED_PATHS:
        lines += [path, f"  Cache-Control: {IMMUTABLE}"]
    return "\n".join(lines) + "\n"


def render_nginx(headers: Mapping[str, str] = SECURITY_HEADERS, *, author_pages: bool = False,
                 ) -> str:
    """nginx ``add_header`` lines (``always``: error pages get them too)."""
    lines = [
        "# Security headers of the site. GENERATED from blog/headers.py by",
        "# `invoke headers`: edit the Python module, not this file.",
        "#",
    ]
    if author_pages:
        lines += [
            "# For Isso's author pages only (deploy/nginx.conf): every header of",
            "# security-headers.conf except Content-Security-Policy and Referrer-Policy,",
            "# which that location sets to values of its own.",
        ]
        headers = author_pages_headers(headers)
    else:
        lines += [
            "# Include it in the `server` block AND in every `location` block that has",
            "# add_header lines of its own: nginx does not inherit add_header into a",
            "# location that sets any (https://nginx.org/r/add_header).",
        ]
    for name, value in headers.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'add_header {name} "{escaped}" always;')
    return "\n".join(lines) + "\n"


def write_headers_file(site: Path) -> Path:
    """Write ``site/_headers``; return its path."""
    path = site / HEADERS_FILE
    path.write_text(render_headers_file(), encoding="utf-8")
    return path


def parse_headers_file(text: str) -> dict[str, dict[str, str]]:
    """Read a ``_headers`` file back: ``{path pattern: {name: value}}``."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            current = rules.setdefault(raw.strip(), {})
        elif current is not None:
            name, _, value = raw.strip().partition(":")
            current[name.strip()] = value.strip()
    return rules


def parse_nginx(text: str) -> dict[str, str]:
    """Read ``add_header NAME "VALUE" always;`` lines back into a dict."""
    import shlex

    headers: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("add_header "):
            continue
        words = shlex.split(line.rstrip(";"))
        headers[words[1]] = words[2]
    return headers


def nginx_snippets() -> dict[Path, str]:
    """Every generated nginx file and its content."""
    return {NGINX_CONF: render_nginx(), NGINX_AUTHOR_CONF: render_nginx(author_pages=True)}


def main() -> int:
    """Regenerate the nginx snippets in ``deploy/``; print what changed (Italian)."""
    for path, new in nginx_snippets().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if new == old:
            print(f"{path.relative_to(ROOT)} è già aggiornato")
            continue
        path.write_text(new, encoding="utf-8")
        count = len(parse_nginx(new))
        print(f"Scritto {path.relative_to(ROOT)} ({count} intestazioni)")
    return 0
