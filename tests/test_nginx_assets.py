"""plugins/asset_hash: the fingerprinted names deploy/nginx.conf caches a year.

(That pages point at them and nginx serves them as immutable is tests/test_nginx.py's job;
here the plugin's own rules, on real files.)
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from asset_hash import (
    AssetNotFound,
    drop_plain_twins,
    hashed_name,
    make_asset_url,
    publishable,
)

SOURCE = "/* Colori del sito */\nbody {\n  color: red;\n}\n"
MINIFIED = "body{color:red}"


def _theme(tmp_path: Path) -> dict:
    theme = tmp_path / "theme"
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "static" / "css" / "site.css").write_text(SOURCE, encoding="utf-8")
    return {"THEME": str(theme), "THEME_STATIC_PATHS": ["static"], "THEME_STATIC_DIR": "theme",
            "OUTPUT_PATH": str(tmp_path / "output")}


def test_the_name_carries_the_hash_of_the_bytes() -> None:
    data = b"body{color:red}"
    digest = hashlib.sha256(data).hexdigest()[:10]
    assert hashed_name("css/site.css", data) == f"css/site.{digest}.css"
    assert hashed_name("css/site.css", data + b" ") != hashed_name("css/site.css", data)


def test_asset_url_writes_the_fingerprinted_file_and_drop_removes_the_plain_one(
    tmp_path: Path,
) -> None:
    settings = _theme(tmp_path)
    url = make_asset_url(settings)("css/site.css")
    output = tmp_path / "output"
    hashed = output / url
    # The published copy is minified, and its name is the hash of those very bytes.
    assert hashed.read_text("utf-8") == MINIFIED
    assert url == f"theme/{hashed_name('css/site.css', MINIFIED.encode())}"
    # Pelican copies the theme's plain files; a stale copy from an earlier build is there too.
    plain = output / "theme" / "css" / "site.css"
    plain.write_text(SOURCE, encoding="utf-8")
    stale = output / "theme" / "css" / "site.0123456789.css"
    stale.write_text("body{color:blue}", encoding="utf-8")
    untouched = output / "theme" / "css" / "print.css"  # no template asked for it
    untouched.write_text("@media print{}", encoding="utf-8")

    removed = drop_plain_twins(output / "theme")
    assert removed == [plain]
    assert sorted(p.name for p in (output / "theme" / "css").iterdir()) == sorted(
        [hashed.name, "print.css"])


def test_minified_scripts_keep_template_literals_and_lose_comments() -> None:
    source = ("/* Ricerca */\nconst n = 3;\n// conta\n"
              "const label = `${n} risultati per «${'x'}»`;\n").encode()
    out = publishable("js/search.js", source).decode()
    assert "Ricerca" not in out and "conta" not in out
    assert "`${n} risultati per «${'x'}»`" in out


def test_a_missing_theme_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(AssetNotFound) as error:
        make_asset_url(_theme(tmp_path))("css/manca.css")
    assert "css/manca.css" in str(error.value) and "static" in str(error.value)
