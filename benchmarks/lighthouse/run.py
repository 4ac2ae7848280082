"""Lighthouse 12 scores of the main page types, mobile and desktop, on a plain static host.

Builds a copy of the project the way a plain static host gets it (no comment server:
``DELEGA_ISSO_URL=""``), serves ``output/`` as plain files on 127.0.0.1 (no headers, no
compression: blog.checks.browser.serve) and
runs the Lighthouse CLI (npm, installed here by ``npm ci`` — never a build or publish
dependency) with Debian's Chromium, three times per page and profile (``LIGHTHOUSE_RUNS``),
and prints the median scores; exits 1 if any score is below 100
or any page shows a layout shift.

    cd benchmarks/lighthouse && npm ci && cd ../.. && .venv/bin/python -m benchmarks.lighthouse.run
    .venv/bin/python -m benchmarks.lighthouse.run kit   # only the pages whose name contains «kit»
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from blog.checks.browser import serve
from tests.sitecopy import copy_project, invoke

HERE = Path(__file__).resolve().parent

PAGES = {
    "home": "",
    "articolo (seme)": "sei-pronto-assistente-virtuale/",
    "pagina del kit": "kit-sulla-delega/",
    "kit da compilare": "kit-sulla-delega/compila/",
    "categoria": "categoria/delega/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))


def lighthouse(url: str, preset: str, out: Path) -> dict:
    """Run the CLI once; return the parsed JSON report."""
    binary = HERE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        sys.exit("Lighthouse manca: esegui `npm ci` in benchmarks/lighthouse/.")
    args = [
        str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if preset == "desktop":
        args.append("--preset=desktop")
    subprocess.run(args, check=True, env=os.environ | {"CHROME_PATH": CHROMIUM})
    return json.loads(out.read_text(encoding="utf-8"))


def main(only: list[str]) -> int:
    pages = {k: v for k, v in PAGES.items() if not only or any(o in k for o in only)}
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        result = invoke(project, "build", env={"DELEGA_ISSO_URL": ""})
        if result.returncode:
            print(result.stdout + result.stderr)
            return 1
        rows, failed = [], False
        with serve(project / "output") as base:
            for name, path in pages.items():
                for preset in ("mobile", "desktop"):
                    # The median of RUNS runs: one run on a busy machine is noisy.
                    runs = [lighthouse(f"{base}/{path}", preset, Path(tmp) / f"report{i}.json")
                            for i in range(RUNS)]
                    scores = [
                        round(100 * statistics.median(r["categories"][c]["score"] for r in runs))
                        for c in CATEGORIES
                    ]
                    cls = max(r["audits"]["cumulative-layout-shift"]["numericValue"] for r in runs)
                    report = runs[0]
                    issues = [a["id"] for a in report["audits"].values()
                              if a.get("score") is not None and a["score"] < 1
                              and a.get("scoreDisplayMode") in ("binary", "metricSavings")]
                    failed |= min(scores) < 100 or cls > 0
                    rows.append((name, preset, *scores, f"{cls:.3f}", " ".join(issues[:4])))
    header = ("pagina", "profilo", "perf.", "access.", "pratiche", "SEO", "CLS", "da guardare")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
