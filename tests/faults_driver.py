"""Run fault cases in one process (as many builds as a long-running livereload would make)
and print one JSON line per case; used by tests/test_faults*.py.

``python tests/faults_driver.py CASES.json``: a list of cases, each a copy of a built
``template`` project made at ``dest``, a fault, builds with the engine, and what came
out (the build's lines, its problems, the site compared with the ``references``).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blog.build.engine import Engine
from blog.build.errors import BuildError
from blog.build.plan import Plan, Purpose
from tests.faults_support import clone, damage, digest, edit

BROKEN_TEMPLATE = "{% if %}"


def _build(project: Path, lines: list[str], **plan: Any) -> tuple[bool, list[str]]:
    engine = Engine(say=lines.append)
    try:
        engine.build(Plan(project / "pelicanconf.py", project / "output", **plan))
    except BuildError as exc:
        return False, [str(problem) for problem in exc.problems]
    return True, []


def _fault(project: Path, case: dict[str, Any]) -> None:
    kind = case["fault"]
    if kind == "cache":
        found = sorted(project.glob(case["target"]))
        assert found, f"nessun file {case['target']} da rovinare"
        damage(found[0], case["how"])
    elif kind == "folder-is-file":
        target = project / case["target"]
        shutil.rmtree(target)
        target.write_text("un file dove va una cartella", encoding="utf-8")
    elif kind == "live-removed":
        shutil.rmtree((project / "output").resolve())
    elif kind == "cut":
        path = project / case["target"]
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * case["keep"])])
    elif kind != "none":
        raise ValueError(kind)


def run_case(case: dict[str, Any], references: dict[str, Any]) -> dict[str, Any]:
    project = clone(Path(case["template"]), Path(case["dest"]))
    versions = sorted(p.name for p in (project / ".output.versions").iterdir()
                      if p.name[:1].isdigit())
    live = (project / "output").resolve().name
    previous = [name for name in versions if name < live]
    before_fault = digest(project / "output")
    _fault(project, case)
    before = digest(project / "output")
    if case.get("edit"):
        edit(project, case["edit"])
    lines: list[str] = []
    ok, problems = _build(project, lines)
    after = digest(project / "output")
    want = references[case["expect"]]
    result = {
        "name": case["name"], "ok": ok, "lines": lines, "problems": problems,
        "correct": after == want, "unchanged": after == before,
        "live_changed_by_fault": before_fault != before,
        "previous_kept": bool(previous) and (project / ".output.versions" / previous[-1]).is_dir(),
    }
    next_lines: list[str] = []
    result["next_ok"], result["next_problems"] = _build(project, next_lines)
    result["next_lines"] = next_lines
    result["next_correct"] = digest(project / "output") == want
    if case.get("force"):
        _build(project, [], force=True)
        result["force_correct"] = digest(project / "output") == want
    return result


def _without_search(site: dict[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (site or {}).items() if not k.startswith("pagefind/")}


def run_livereload(case: dict[str, Any], references: dict[str, Any]) -> dict[str, Any]:
    """A template error, then its fix, in one engine (livereload's updates in place)."""
    project = clone(Path(case["template"]), Path(case["dest"]))
    lines: list[str] = []
    engine = Engine(say=lines.append, keep_site=True)
    settings, output = project / "pelicanconf.py", project / "output"
    engine.build(Plan(settings, output, force=True))
    template = project / "theme" / "templates" / "article.html"
    original = template.read_text(encoding="utf-8")
    template.write_text(re.sub(r"(\{% block content %\})", r"\1" + BROKEN_TEMPLATE, original,
                               count=1), encoding="utf-8")
    failed = None
    try:
        engine.build(Plan(settings, output, Purpose.LIVERELOAD))
    except BuildError as exc:
        failed = [str(problem) for problem in exc.problems]
    template.write_text(original, encoding="utf-8")
    engine.build(Plan(settings, output, Purpose.LIVERELOAD))
    site = digest(output)
    return {"name": case["name"], "failed": failed, "lines": lines,
            "sitemap": (output / "sitemap.xml").is_file(),
            "correct": _without_search(site) == _without_search(references[case["expect"]])}


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    references = {name: json.loads(Path(path).read_text(encoding="utf-8"))
                  for name, path in spec["references"].items()}
    for case in spec["cases"]:
        runner = run_livereload if case["fault"] == "livereload-template" else run_case
        try:
            result = runner(case, references)
        except Exception as exc:  # the test shows it: one case never hides the others
            result = {"name": case["name"], "driver_error": repr(exc)}
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
