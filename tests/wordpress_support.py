"""Shared pieces of the WordPress import tests: the test exports and a real nginx."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from blog.comments.isso import LOCAL_DB
from blog.paths import ROOT

DATA = Path(__file__).resolve().parent / "data" / "wordpress"
EXPORT = DATA / "export-ricco.xml"
UPLOADS = DATA / "uploads"
LANG_C = {"LANG": "C", "LC_ALL": "C"}
# The local comment database of a project copy, relative to its root.
DB = LOCAL_DB.relative_to(ROOT).as_posix()


def comment_rows(database: Path) -> list[tuple]:
    """Every comment of an Isso database as (thread uri, parent?, mode, author, text)."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        return db.execute(
            "SELECT threads.uri, comments.parent IS NOT NULL, comments.mode, comments.author, "
            "comments.text FROM comments JOIN threads ON threads.id = comments.tid "
            "ORDER BY comments.id"
        ).fetchall()


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


@contextlib.contextmanager
def nginx_with_redirects(site: Path, deploy: Path, folder: Path, port: int) -> Iterator[str]:
    """A real nginx serving ``site`` with the import's map and server include."""
    folder.mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(f"    {name}_temp_path {folder / name};\n"
                   for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\nevents {{}}\nhttp {{\n    access_log off;\n{temp}"
        f"    include {deploy / 'wordpress-redirects.map'};\n"
        f"    server {{\n        listen 127.0.0.1:{port};\n        root {site};\n"
        "        index index.html;\n        absolute_redirect off;\n"
        f"        include {deploy / 'wordpress-redirects.conf'};\n"
        "        location / { try_files $uri $uri/ =404; }\n    }\n}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(conf)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if process.poll() is not None:
                raise RuntimeError("nginx non parte:\n" + (process.stdout.read() if process.stdout
                                                          else ""))
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def plain_static_server(site: Path) -> Iterator[str]:
    """Python's own static server: a host with no redirect rules at all (GitHub Pages-like)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
