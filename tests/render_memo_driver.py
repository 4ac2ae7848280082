"""Run in a project copy: make each change, build incrementally, build everything again
from scratch into another folder, and print, as JSON, which files differ.

Two incremental builds follow each change: ``invoke build``'s (a new version, pages
reused as links) and livereload's (the live version updated in place, its search
index left to the background refresh, so ``pagefind/`` is not compared).
One process for all the changes (as a long-running livereload would build them);
used by tests/test_render_memo.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from blog.build.engine import Engine
from blog.build.plan import Plan, Purpose

ARTICLES = Path("content/articles")
BODY = ARTICLES / "cosa-delegare-per-primo.md"
NEW = ARTICLES / "nuovo-articolo-di-prova.md"
NEW_TEXT = """Title: Un articolo di prova
Date: 2026-03-01 09:00
Category: Delega
Tags: delega, organizzazione
Slug: articolo-di-prova
Status: {status}

Un testo breve con un [collegamento]({{filename}}cosa-delegare-per-primo.md).
"""


def _edit(path: Path, pattern: str, replacement: str) -> Callable[[], None]:
    def change() -> None:
        text = path.read_text(encoding="utf-8")
        changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert changed != text, f"{pattern} not in {path}"
        path.write_text(changed, encoding="utf-8")
    return change


def _new(status: str) -> Callable[[], None]:
    return lambda: NEW.write_text(NEW_TEXT.format(status=status), encoding="utf-8")


CHANGES: list[tuple[str, Callable[[], None]]] = [
    ("nothing", lambda: None),
    ("edit body", _edit(BODY, r"\Z", "\nUn paragrafo aggiunto in fondo.\n")),
    ("edit title", _edit(BODY, r"^Title: .*$", "Title: Cosa delegare per primo (rivisto)")),
    ("add", _new("published")),
    ("retag", _edit(NEW, r"^Tags: .*$", "Tags: priorità, produttività, nuovo-argomento")),
    ("change category", _edit(NEW, r"^Category: .*$", "Category: Assistente Virtuale")),
    ("published to draft", _edit(NEW, r"^Status: .*$", "Status: draft")),
    ("draft to published", _edit(NEW, r"^Status: .*$", "Status: published")),
    ("hidden", _edit(NEW, r"^Status: .*$", "Status: hidden")),
    ("hidden to published", _edit(NEW, r"^Status: .*$", "Status: published")),
    ("delete", lambda: NEW.unlink()),
    ("template change", _edit(Path("theme/templates/article.html"), r"\Z",
                              "\n<!-- modello modificato -->\n")),
    ("settings change", _edit(Path("pelicanconf.py"), r"\Z",
                              '\nSITESUBTITLE = "Delegare bene, sempre"\n')),
]


def _files(folder: Path, *, search: bool = True) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and (search or p.relative_to(folder).parts[0] != "pagefind")}


def _differ(ours: dict[str, str], theirs: dict[str, str]) -> list[str]:
    return sorted(path for path in ours.keys() | theirs.keys()
                  if ours.get(path) != theirs.get(path))


def main() -> None:
    settings = Path("pelicanconf.py").resolve()
    quiet = lambda line: None  # noqa: E731
    # The reference renders every page (a production plan: no render memo).
    incremental, reference = Engine(say=quiet), Engine(say=quiet)
    live = Engine(say=quiet, keep_site=True)
    incremental_plan = Plan(settings, Path("output").absolute())
    reference_plan = Plan(settings, Path("reference").absolute(), Purpose.PRODUCTION,
                          force=True)
    live_plan = Plan(settings, Path("livereload").absolute(), Purpose.LIVERELOAD)
    incremental.build(incremental_plan)
    live.build(Plan(settings, live_plan.output))
    report = []
    for name, change in CHANGES:
        change()
        built = incremental.build(incremental_plan)
        updated = live.build(live_plan)
        reference.build(reference_plan)
        theirs = _files(reference_plan.output)
        in_place = _differ(_files(live_plan.output, search=False),
                           _files(reference_plan.output, search=False))
        report.append({"change": name,
                       "differ": _differ(_files(incremental_plan.output), theirs),
                       "rendered": built.rendered, "reused": built.reused,
                       "html": built.pages, "differ_in_place": in_place,
                       "rendered_in_place": updated.rendered,
                       "reused_in_place": updated.reused,
                       "same_version": updated.version == live.site.version})
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
