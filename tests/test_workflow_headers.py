"""One source of truth for the security headers: ``_headers`` and nginx agree with it.

(That the policy itself holds in Chromium on every page type, search and comments
included, is tests/test_csp.py's job: it loads the site under ``development_headers()``.)
"""

from __future__ import annotations

import re
from pathlib import Path

from blog import headers
from blog.publish.precompress import brotli_bytes, gzip_bytes

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options",
            "Referrer-Policy", "Permissions-Policy")


def test_the_nginx_snippets_are_generated_from_the_python_values() -> None:
    for path, generated in headers.nginx_snippets().items():
        assert path.read_text(encoding="utf-8") == generated, "rigenera con: invoke headers"
    on_disk = headers.NGINX_CONF.read_text(encoding="utf-8")
    assert headers.parse_nginx(on_disk) == headers.SECURITY_HEADERS
    # Isso's author pages: every header but the two their location sets itself.
    author = headers.parse_nginx(headers.NGINX_AUTHOR_CONF.read_text(encoding="utf-8"))
    assert author == {name: value for name, value in headers.SECURITY_HEADERS.items()
                      if name not in ("Content-Security-Policy", "Referrer-Policy")}


def test_the_headers_file_says_the_same_for_every_path() -> None:
    rules = headers.parse_headers_file(headers.render_headers_file())
    assert rules.pop("/*") == headers.SECURITY_HEADERS
    # Only fingerprinted folders get more, and only their cache lifetime.
    assert set(rules) == set(headers.FINGERPRINTED_PATHS)
    assert all(rule == {"Cache-Control": headers.IMMUTABLE} for rule in rules.values())


def test_every_required_header_is_there_and_strict() -> None:
    values = headers.SECURITY_HEADERS
    assert all(values.get(name) for name in REQUIRED)
    directives = values["Content-Security-Policy"].split("; ")
    csp = {part.split(" ")[0]: part.split(" ")[1:] for part in directives}
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # Pagefind's WebAssembly
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    sources = [v for parts in csp.values() for v in parts]
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert not any(re.match(r"https?://", v) for v in sources)  # nothing third-party
    assert int(re.search(r"max-age=(\d+)", values["Strict-Transport-Security"])[1]) >= 31536000
    assert values["X-Content-Type-Options"] == "nosniff"


def test_development_headers_only_relax_what_local_http_needs() -> None:
    dev = headers.development_headers(connect=("ws://127.0.0.1:8000",))
    assert "Strict-Transport-Security" not in dev
    assert "upgrade-insecure-requests" not in dev["Content-Security-Policy"]
    assert "connect-src 'self' ws://127.0.0.1:8000" in dev["Content-Security-Policy"]
    production = headers.SECURITY_HEADERS["Content-Security-Policy"]
    assert dev["Content-Security-Policy"].replace(" ws://127.0.0.1:8000", "") == (
        production.replace("; upgrade-insecure-requests", ""))


def test_the_sample_nginx_configuration_includes_the_snippet() -> None:
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    tls_server = nginx[nginx.index("listen 443"):]
    assert re.search(r"^\s*include \S*/deploy/security-headers\.conf;", tls_server, re.M)
    author = tls_server[tls_server.index("location ~ ^/isso/(admin/"):]
    assert re.search(r"^\s*include \S*/deploy/security-headers-author-pages\.conf;", author,
                     re.M)


def test_the_meta_policy_drops_only_what_a_meta_tag_cannot_carry() -> None:
    meta = headers.meta_content_security_policy()
    full = headers.SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors" not in meta
    assert meta == full.replace("; frame-ancestors 'none'", "")


def test_precompression_is_deterministic_and_lossless() -> None:
    import gzip

    import brotli

    data = ("<p>Delegare bene, lavorare meglio.</p>\n" * 200).encode()
    assert gzip_bytes(data) == gzip_bytes(data) and brotli_bytes(data) == brotli_bytes(data)
    assert gzip.decompress(gzip_bytes(data)) == data == brotli.decompress(brotli_bytes(data))
    assert gzip_bytes(data)[4:8] == b"\0\0\0\0"  # no timestamp in the gzip header
