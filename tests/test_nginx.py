"""deploy/nginx.conf served for real: Debian 12's nginx 1.22 in front of the built site
and a real Isso, on 127.0.0.1 with a self-signed certificate.

The running configuration is the sample itself with only its paths, ports and the
optional allow-list filled in (:func:`runnable_config` asserts each replaced text is
there, so a change to the sample is a change to what is tested). One nginx and one
Isso for the module. It shows:
- the sample loads (``nginx -t``) and speaks HTTP/2 over TLS;
- ``.br``/``.gz`` twins are sent as they are to browsers that accept them;
- fingerprinted theme files, the kit's pdf.js and Pagefind's hashed index are cached a
  year as immutable, pages briefly, the kit’s PDF an hour; the plain names of fingerprinted
  files are gone;
- the same security headers on every kind of response (page, asset, 404, Isso, 429);
- a password guesser gets 429 after a few tries, an allowed address still logs in,
  the allow-list lifts no limit and refuses addresses outside it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest

from blog.headers import SECURITY_HEADERS, author_pages_headers
from blog.publish.precompress import precompress_site

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "deploy" / "nginx.conf"
SERVER_NAME = "www.giulia-assistente.example"
PASSWORD = "parola-d’ordine-di-prova".encode().hex()
GUESSER, AUTHOR, OUTSIDER, VISITOR = "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"
ALLOWED = (GUESSER, AUTHOR, VISITOR)
BURST = 5  # `limit_req … burst=5` in the sample: 1 + 5 requests pass at once
RATE_SECONDS = 6  # `rate=10r/m`: one more request every 6 s
IMMUTABLE = "public, max-age=31536000, immutable"


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx.conf non contiene più «{old}»: aggiorna il test"
    return text.replace(old, new)


def runnable_config(site: Path, cert: Path, key: Path, ports: dict[str, int],
                    allowed: tuple[str, ...] = ()) -> str:
    """The sample with test paths, ports and (optionally) an allow-list."""
    conf = SAMPLE.read_text(encoding="utf-8")
    live = f"/etc/letsencrypt/live/{SERVER_NAME}"
    for old, new in (
        ("/srv/giulia-blog/output;", f"{site};"),
        ("/srv/giulia-blog/deploy/", f"{ROOT / 'deploy'}/"),
        (f"{live}/fullchain.pem", str(cert)),
        (f"{live}/privkey.pem", str(key)),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https']} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
        ("listen [::]:80;", ""),
        ("http://127.0.0.1:8081", f"http://127.0.0.1:{ports['isso']}"),
    ):
        conf = _replace(conf, old, new)
    if allowed:
        listed = "".join(f"\n    {address} 1;" for address in allowed)
        conf = _replace(conf, "geo $giulia_isso_admin_allowed {\n    default 1;",
                        "geo $giulia_isso_admin_allowed {\n    default 0;" + listed)
    return conf


def main_config(prefix: Path) -> str:
    """nginx.conf around the site, as Debian's: modules-enabled (brotli), mime types."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(f"{kind}_temp_path {prefix / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        "include /etc/nginx/modules-enabled/*.conf;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "include /etc/nginx/mime.types;\ndefault_type application/octet-stream;\n"
        f"access_log {prefix / 'access.log'};\nerror_log {prefix / 'error.log'};\n"
        f"{temp}include {prefix / 'site.conf'};\n}}\n"
    )


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={SERVER_NAME}", "-keyout", str(key),
         "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_command(prefix: Path, *args: str) -> list[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "manca nginx: esegui make test (scripts/system-deps.sh test)"
    # Debian's default prefix: modules-enabled names modules relative to it.
    return [binary, "-e", str(prefix / "error.log"),
            "-c", str(prefix / "nginx.conf"), *args]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Nginx:
    port: int
    prefix: Path
    site: Path

    def connect(self, source: str = VISITOR) -> http.client.HTTPSConnection:
        """A TLS connection from ``source`` (reconnects by itself when nginx closes it)."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=context, timeout=15, source_address=(source, 0))

    def get(self, path: str, *, source: str = VISITOR, method: str = "GET",
            headers: dict[str, str] | None = None, body: bytes | None = None,
            connection: http.client.HTTPSConnection | None = None) -> Response:
        own = connection is None
        connection = connection or self.connect(source)
        try:
            connection.request(method, path, body=body,
                               headers={"Host": SERVER_NAME, **(headers or {})})
            reply = connection.getresponse()
            return Response(reply.status, reply.headers, reply.read())
        finally:
            if own:
                connection.close()


@pytest.fixture(scope="module")
def served_site(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built site with the .gz/.br twins invoke publish writes."""
    copy = tmp_path_factory.mktemp("nginx-site") / "output"
    shutil.copytree(site, copy)
    precompress_site(copy)
    return copy


@pytest.fixture(scope="module")
def isso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from blog.comments.isso import IssoServer, local_environment
    from blog.comments.isso import free_port as isso_port

    database = tmp_path_factory.mktemp("isso-nginx") / "comments.db"
    env = local_environment(f"https://{SERVER_NAME}", isso_port(), database,
                            admin_password=PASSWORD)
    with IssoServer(env) as server:
        yield server


@pytest.fixture(scope="module")
def nginx(served_site: Path, isso, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    prefix = tmp_path_factory.mktemp("nginx")
    cert, key = self_signed(prefix)
    ports = {"https": free_port(), "http": free_port(), "isso": isso.port}
    (prefix / "site.conf").write_text(
        runnable_config(served_site, cert, key, ports, allowed=ALLOWED), encoding="utf-8")
    (prefix / "nginx.conf").write_text(main_config(prefix), encoding="utf-8")
    checked = subprocess.run(nginx_command(prefix, "-t"), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(nginx_command(prefix, "-g", "daemon off;"),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                socket.create_connection(("127.0.0.1", ports["https"]), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx non risponde"
                time.sleep(0.05)
        yield Nginx(ports["https"], prefix, served_site)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _page_assets(html: str) -> dict[str, str]:
    """The theme files a page points at: ``{"css/site.css": "/theme/css/site.<h>.css"}``."""
    found = re.findall(r'"(?:\./|\.\./)*(theme/(?:css|js)/[^"]+)"', html)
    return {re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url[len("theme/"):]): "/" + url
            for url in found}


# --------------------------------------------------------------------------- loading


def test_the_sample_loads_on_debian_nginx_with_http2(tmp_path: Path, site: Path) -> None:
    sample = SAMPLE.read_text(encoding="utf-8")
    assert "listen 443 ssl http2;" in sample and not re.search(r"^\s*http2 on;", sample, re.M)
    cert, key = self_signed(tmp_path)
    ports = {"https": free_port(), "http": free_port(), "isso": free_port()}
    (tmp_path / "site.conf").write_text(runnable_config(site, cert, key, ports), "utf-8")
    (tmp_path / "nginx.conf").write_text(main_config(tmp_path), encoding="utf-8")
    result = subprocess.run(nginx_command(tmp_path, "-t"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    assert "[warn]" not in result.stderr.replace('"user" directive', ""), result.stderr


def test_tls_offers_http2(nginx: Nginx) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", nginx.port)) as raw, \
            context.wrap_socket(raw, server_hostname=SERVER_NAME) as tls:
        assert tls.selected_alpn_protocol() == "h2"


# --------------------------------------------------------------------------- compression


@pytest.mark.parametrize("accept", ["br", "gzip", "br, gzip", ""])
def test_precompressed_twins_are_sent_to_browsers_that_accept_them(
    nginx: Nginx, accept: str
) -> None:
    index = nginx.get("/", headers={"Accept-Encoding": "identity"}).body
    stylesheet = _page_assets(index.decode())["css/site.css"]
    for path, file, kind in (("/", "index.html", "text/html"),
                             (stylesheet, stylesheet.lstrip("/"), "text/css")):
        reply = nginx.get(path, headers={"Accept-Encoding": accept} if accept else {})
        assert reply.status == 200
        assert reply.header("Content-Type").startswith(kind)
        plain = (nginx.site / file).read_bytes()
        encoding = "br" if "br" in accept else "gzip" if accept else None
        assert reply.header("Content-Encoding") == encoding
        if encoding == "br":
            assert reply.body == (nginx.site / f"{file}.br").read_bytes()
            assert brotli.decompress(reply.body) == plain
        elif encoding == "gzip":
            assert reply.body == (nginx.site / f"{file}.gz").read_bytes()
        else:
            assert reply.body == plain
        assert "Accept-Encoding" in (reply.header("Vary") or "")


# --------------------------------------------------------------------------- caching


def test_fingerprinted_theme_files_are_cached_a_year_as_immutable(nginx: Nginx) -> None:
    home = nginx.get("/")
    assets = _page_assets(home.body.decode())
    assert {"css/site.css", "js/enhance.js", "js/search.js", "css/search.css",
            "js/comments.js"} <= set(assets), assets
    for plain, url in assets.items():
        reply = nginx.get(url)
        assert reply.status == 200, url
        assert reply.header("Cache-Control") == IMMUTABLE, url
        # The name's hash is the hash of the bytes served.
        digest = hashlib.sha256(reply.body).hexdigest()[:10]
        assert url.endswith(f".{digest}{Path(plain).suffix}"), url
        # Only the fingerprinted name is published.
        assert nginx.get(f"/theme/{plain}").status == 404, plain
    assert home.header("Cache-Control") == "public, max-age=300"


def test_pagefind_hashed_files_are_immutable_its_entry_points_are_not(nginx: Nginx) -> None:
    bundle = nginx.site / "pagefind"
    hashed = [next(bundle.glob("fragment/*.pf_fragment")), next(bundle.glob("index/*.pf_index")),
              next(bundle.glob("pagefind.*.pf_meta"))]
    for file in hashed:
        reply = nginx.get("/" + file.relative_to(nginx.site).as_posix())
        assert reply.status == 200 and reply.header("Cache-Control") == IMMUTABLE, file
    for name in ("pagefind.js", "pagefind-entry.json"):
        reply = nginx.get(f"/pagefind/{name}")
        assert reply.status == 200
        assert "immutable" not in reply.header("Cache-Control"), name


def test_the_kit_fingerprinted_scripts_are_immutable_its_pdf_and_pictures_are_not(
        nginx: Nginx) -> None:
    kit = nginx.site / "kit"
    scripts = sorted(p.name for p in kit.glob("*.js"))
    assert len(scripts) == 2 and all(re.search(r"\.[0-9a-f]{10}\.js$", s) for s in scripts), \
        scripts  # pdf.js and its worker, each named by its content
    for name in scripts:
        reply = nginx.get(f"/kit/{name}")
        assert reply.status == 200 and reply.header("Cache-Control") == IMMUTABLE, name
        digest = hashlib.sha256((kit / name).read_bytes()).hexdigest()[:10]
        assert name.endswith(f".{digest}.js"), name  # the vendored bytes, as published
    # The PDF and its pictures keep their names across releases: never immutable.
    for file in [*kit.glob("*.pdf"), *kit.glob("*.png")]:
        reply = nginx.get(f"/kit/{file.name}")
        assert reply.status == 200, file.name
        assert "immutable" not in reply.header("Cache-Control"), file.name


def test_static_hosts_get_the_same_cache_policy_from_headers_file(nginx: Nginx) -> None:
    from blog.headers import parse_headers_file, render_headers_file

    rules = parse_headers_file(render_headers_file())
    assert rules.pop("/*") == SECURITY_HEADERS
    urls = sorted("/" + p.relative_to(nginx.site).as_posix() for p in nginx.site.rglob("*")
                  if p.is_file() and p.suffix not in (".gz", ".br"))
    checked, matched = 0, set()
    for pattern, rule in rules.items():
        # As Netlify and Cloudflare Pages read a pattern: «*» stands for anything, «/» too.
        found = [url for url in urls if fnmatch.fnmatchcase(url, pattern)]
        matched.update([pattern] if found else [])
        for url in found[:3]:
            assert nginx.get(url).header("Cache-Control") == rule["Cache-Control"], url
            checked += 1
    assert checked >= 8 and {"/theme/css/*", "/theme/js/*", "/kit/*.js"} <= matched, matched


# --------------------------------------------------------------------------- headers


def _has_site_headers(reply: Response, what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers.get_all(name) == [value], f"{what}: {name}"


def test_every_kind_of_response_has_the_same_security_headers(nginx: Nginx) -> None:
    index = nginx.get("/")
    assets = _page_assets(index.body.decode())
    fragment = next((nginx.site / "pagefind" / "fragment").glob("*.pf_fragment"))
    article = next(p for p in nginx.site.glob("*/index.html")
                   if "og:type\" content=\"article" in p.read_text(encoding="utf-8"))
    cases = {
        "home": ("/", 200),
        "article": (f"/{article.parent.name}/", 200),
        "stylesheet": (assets["css/site.css"], 200),
        "script": (assets["js/enhance.js"], 200),
        "search index": ("/" + fragment.relative_to(nginx.site).as_posix(), 200),
        "kit PDF": ("/" + next(nginx.site.rglob("*.pdf")).relative_to(nginx.site).as_posix(),
                    200),
        "missing page": ("/questa-pagina-non-esiste/", 404),
        "Isso API": ("/isso/config", 200),
    }
    for what, (path, status) in cases.items():
        reply = nginx.get(path, headers={"Accept-Encoding": "br"})
        assert reply.status == status, (what, path)
        _has_site_headers(reply, what)
    missing = nginx.get("/questa-pagina-non-esiste/")
    assert missing.body == (nginx.site / "404.html").read_bytes()

    # Isso's own pages: their policy and Referrer-Policy, every other header the same.
    from blog.comments.isso import AUTHOR_PAGES_CSP

    admin = nginx.get("/isso/admin/", source=VISITOR)
    assert admin.status == 200 and b'name="password"' in admin.body
    assert admin.headers.get_all("Content-Security-Policy") == [AUTHOR_PAGES_CSP]
    assert admin.header("Referrer-Policy") == "no-referrer"
    for name, value in author_pages_headers().items():
        assert admin.headers.get_all(name) == [value], name


# --------------------------------------------------------------------------- brute force


def _login(nginx: Nginx, password: str, source: str, connection=None) -> Response:
    return nginx.get("/isso/login/", method="POST", source=source, connection=connection,
                     body=urllib.parse.urlencode({"password": password}).encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_password_guessing_is_cut_off_and_the_author_still_logs_in(nginx: Nginx) -> None:
    connection = nginx.connect(GUESSER)  # one keep-alive connection, as a guesser would
    began = time.monotonic()
    guesses = [_login(nginx, f"tentativo-{n}", GUESSER, connection) for n in range(50)]
    refills = int((time.monotonic() - began) // RATE_SECONDS) + 1
    connection.close()
    statuses = [reply.status for reply in guesses]
    # Isso answered the first few (its login form again: wrong password), then nginx
    # refused the rest without asking it. The limit earns one more try every 6 s, so a
    # slow machine may see a few more answers, never the 50 an unlimited server gives.
    answered = [reply for reply in guesses if reply.status != 429]
    assert statuses[: BURST + 1] == [200] * (BURST + 1), statuses
    assert b'name="password"' in guesses[0].body
    assert len(answered) <= BURST + 1 + refills, statuses
    assert all(r.status == 200 and b'name="password"' in r.body for r in answered)
    assert not any(r.header("Set-Cookie") for r in guesses)
    assert set(statuses) == {200, 429}  # nothing else: no error, no success
    refused = guesses[-1]
    for name, value in author_pages_headers().items():
        assert refused.headers.get_all(name) == [value], name

    # The author, from an allowed address, gets in: cookie, then the moderation page.
    login = _login(nginx, PASSWORD, AUTHOR)
    assert login.status == 302 and login.header("Location").endswith("/isso/admin/")
    cookie = login.header("Set-Cookie").split(";")[0]
    assert cookie.startswith("admin-session=")
    admin = nginx.get("/isso/admin/", source=AUTHOR, headers={"Cookie": cookie})
    assert admin.status == 200 and b'id="logout"' in admin.body

    # Being on the allow-list lifts no limit: guessing from there is cut off too.
    connection = nginx.connect(AUTHOR)
    more = [_login(nginx, f"altro-{n}", AUTHOR, connection).status for n in range(20)]
    connection.close()
    assert more.count(429) >= 10, more


def test_addresses_outside_the_allow_list_are_refused(nginx: Nginx) -> None:
    for path, method in (("/isso/admin/", "GET"), ("/isso/login/", "POST")):
        reply = nginx.get(path, method=method, source=OUTSIDER,
                          body=b"password=x" if method == "POST" else None,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert reply.status == 403, path
        assert b"Isso" not in reply.body
    # The comments themselves stay open to everyone.
    assert nginx.get("/isso/config", source=OUTSIDER).status == 200
