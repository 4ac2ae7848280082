"""Real faults in the caches and the live site: after each, either a correct site (file by
file the same as a clean build of the same sources) or a clear Italian error with
``output/`` as it was, and the next normal build correct.

Each cache the build reads is cut in half, filled with random bytes, replaced by ``[]``
or by a folder (and a card emptied in place); cache folders are replaced by files; the
live version's folder is removed; Pelican's content cache is cut the way a crash while
Pelican writes it leaves it (the automatic retry must not lose ``sitemap.xml`` nor say
every line twice); in livereload a template error and its fix must not lose it either.
All cases run in one process (tests/faults_driver.py), as livereload would build them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults_support import DAMAGES, EPOCH, built_copy, digest, edit
from tests.sitecopy import copy_project, invoke

pytestmark = pytest.mark.slow

CACHES = {
    "pelican-articoli": ".cache/pelican/ArticlesGenerator-Readers",
    "pelican-pagine": ".cache/pelican/PagesGenerator-Readers",
    "modelli-compilati": ".cache/pelican/jinja/*.cache",
    "memo-pagine": ".cache/pelican/render-memo/*.json",
    "impronta-build": ".cache/build-inputs/[0-9a-f]*.json",
    "note-pelican": ".cache/pelican/.impronte.json",
    "riferimento-pagefind": ".cache/pagefind/riferimento.json",
    "scheda-social": ".cache/og-images/*.png",
    "kit-manifest": ".cache/kit/manifest.json",
    "kit-pdf": ".cache/kit/kit.pdf",
}
FOLDERS = (".cache/kit", ".cache/og-images", ".cache/pelican", ".cache/pelican/jinja",
           ".cache/pelican/render-memo", ".cache/build-inputs")
ENGLISH_OR_CODE = ("Traceback", "difetto del codice", "Errno", "Cannot ", "Unable ",
                   "No such file", "Permission denied", "errore interno")
# Emptied in place: only the card (it was a hard link into the site, before).
DAMAGED = [(name, how) for name in CACHES for how in DAMAGES
           if how != "svuotato" or name == "scheda-social"]
NOTICE = ("danneggiat", "rovinat", "una cartella", "non ha l’impronta")


def _cases(template: Path, base: Path) -> list[dict]:
    cases = []
    for name, how in DAMAGED:
        cases.append({"name": f"{name}:{how}", "fault": "cache", "target": CACHES[name],
                      "how": how, "edit": "Segno-due", "expect": "due",
                      "force": name == "scheda-social"})
    cases.append({"name": "scheda-social:svuotato:senza-modifiche", "fault": "cache",
                  "target": CACHES["scheda-social"], "how": "svuotato", "expect": "uno"})
    for folder in FOLDERS:
        cases.append({"name": f"file-al-posto-di:{folder}", "fault": "folder-is-file",
                      "target": folder, "edit": "Segno-due", "expect": "due"})
    cases.append({"name": "versione-in-linea-rimossa", "fault": "live-removed",
                  "expect": "uno"})
    for keep in (0.0, 0.33):
        cases.append({"name": f"articoli-pelican-tagliati-a-{keep}", "fault": "cut",
                      "target": CACHES["pelican-articoli"], "keep": keep,
                      "edit": "Segno-due", "expect": "due"})
    cases.append({"name": "livereload-modello-rotto-e-corretto",
                  "fault": "livereload-template", "expect": "uno"})
    for number, case in enumerate(cases):
        case["template"] = str(template)
        case["dest"] = str(base / "casi" / f"{number:02d}")
    return cases


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    base = tmp_path_factory.mktemp("guasti")
    template = built_copy(base / "modello", "Segno-uno")  # two versions: S0, then S1
    references = {}
    for name, tokens in (("uno", ["Segno-uno"]), ("due", ["Segno-uno", "Segno-due"])):
        clean = copy_project(base / f"pulito-{name}")  # a clean build of the same sources
        for token in tokens:
            edit(clean, token)
        result = invoke(clean, "build", env=EPOCH)
        assert result.returncode == 0, result.stdout + result.stderr
        references[name] = str(base / f"{name}.json")
        Path(references[name]).write_text(json.dumps(digest(clean / "output")))
    spec = base / "casi.json"
    spec.write_text(json.dumps({"references": references,
                                "cases": _cases(template, base)}), encoding="utf-8")
    driver = Path(__file__).with_name("faults_driver.py")
    run = subprocess.run([sys.executable, str(driver), str(spec)], capture_output=True,
                         text=True, env=os.environ | EPOCH, check=False, timeout=1800)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    found = {}
    for line in run.stdout.splitlines():
        result = json.loads(line)
        found[result["name"]] = result
    return found


def _said(result: dict) -> str:
    return "\n".join(result.get("lines", []) + result.get("problems", []))


def _assert_sound(result: dict) -> None:
    """A correct site, or an Italian error with output/ as it was; the next build correct."""
    assert "driver_error" not in result, result
    said = _said(result)
    for noise in ENGLISH_OR_CODE:
        assert noise not in said, f"{noise!r}:\n{said}"
    if result["ok"]:
        assert result["correct"], f"sito diverso da una build pulita:\n{said}"
    else:
        assert result["problems"] and result["unchanged"], said
    assert result["next_ok"] and result["next_correct"], \
        "\n".join(result["next_lines"] + result["next_problems"])


@pytest.mark.parametrize(("name", "how"), DAMAGED)
def test_a_damaged_cache_is_thrown_away_and_rebuilt(results: dict, name: str,
                                                    how: str) -> None:
    result = results[f"{name}:{how}"]
    _assert_sound(result)
    assert result["ok"], _said(result)  # every damaged cache is made again: the build works
    notices = [line for line in result["lines"] if any(w in line for w in NOTICE)]
    assert notices, "nessuna riga dice che la cache era danneggiata:\n" + _said(result)
    if name.startswith("kit-"):  # the kit plugin checks its own (a manifest of SHA-256s)
        assert not any("kit/ è cambiato" in line for line in result["lines"]), _said(result)


def test_a_card_damaged_in_the_cache_never_touches_the_live_site(results: dict) -> None:
    result = results["scheda-social:svuotato"]
    assert not result["live_changed_by_fault"]  # no byte shared with the cache
    assert result["force_correct"]
    untouched = results["scheda-social:svuotato:senza-modifiche"]
    assert not untouched["live_changed_by_fault"]
    _assert_sound(untouched)


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_file_where_a_cache_folder_goes_is_removed_with_one_line(results: dict,
                                                                   folder: str) -> None:
    result = results[f"file-al-posto-di:{folder}"]
    _assert_sound(result)
    assert result["ok"]
    assert any("non era una cartella" in line for line in result["lines"]), _said(result)


def test_a_missing_live_folder_is_rebuilt_and_costs_no_previous_version(results: dict):
    result = results["versione-in-linea-rimossa"]
    _assert_sound(result)
    assert result["ok"] and result["previous_kept"], _said(result)
    assert any("non c’è più" in line for line in result["lines"]), _said(result)


@pytest.mark.parametrize("keep", [0.0, 0.33])
def test_a_cut_pelican_cache_loses_no_published_file_and_says_each_line_once(
        results: dict, keep: float) -> None:
    result = results[f"articoli-pelican-tagliati-a-{keep}"]
    _assert_sound(result)
    assert result["ok"], _said(result)  # the sitemap included: compared file by file
    lines = [line.strip() for line in result["lines"] if line.startswith("      ")
             and "fatto in" not in line]
    assert len(lines) == len(set(lines)), "righe ripetute:\n" + "\n".join(lines)


def test_livereload_keeps_the_sitemap_after_a_template_error_and_its_fix(results: dict):
    result = results["livereload-modello-rotto-e-corretto"]
    assert "driver_error" not in result, result
    assert result["failed"], "il modello rotto non ha fatto fallire l’aggiornamento"
    assert result["sitemap"] and result["correct"], "\n".join(result["lines"])
