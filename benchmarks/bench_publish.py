"""Publishing timings on the real site: first publish, after one edit, same bytes again.

Usage: ``python -m benchmarks.bench_publish``. A copy of the project (made a git
repository, as the author's is) publishes by rsync into a temporary folder:

1. first publish: every check runs on every page;
2. one article edited: only the changed pages are checked again;
3. nothing changed: the site's fingerprint already passed, no check runs.

Prints a Markdown table with the time of each step (from the task's own step lines) and
the precompression savings.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.sitecopy import copy_project
from tests.workflow_support import git, init_git

STEPS = ("kit", "Pelican", "Pagefind", "controlli", "compressione", "invio")


def publish(project: Path, target: Path | str, *, refused: bool = False,
            ) -> tuple[float, list[float], str, str]:
    env = {"DELEGA_DEPLOY": "rsync", "DELEGA_DEPLOY_DEST": str(target)}
    import os

    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "invoke", "publish"], cwd=project,
                            env=os.environ | env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if refused:
        if result.returncode == 0 or "Kit sulla delega" in result.stdout:
            raise SystemExit(f"doveva essere rifiutata prima della build:\n{result.stdout}")
        return wall, [], "", ""
    if result.returncode != 0:
        raise SystemExit(f"publish fallito:\n{result.stdout}{result.stderr}")
    steps = [float(m.replace(",", ".")) for m in re.findall(r"fatto in ([\d,]+) s", result.stdout)]
    compression = re.search(r"^\s+(\d+ file, .* brotli .*)$", result.stdout, re.M)
    checks = re.findall(r"^\s+✓ (.+)$", result.stdout, re.M)
    return wall, steps, compression.group(1) if compression else "", "; ".join(checks)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        project = copy_project(Path(tmp) / "progetto")
        init_git(project)
        target = Path(tmp) / "www" / "blog"
        target.parent.mkdir()
        rows = [("primo invio", *publish(project, target))]
        article = project / "content" / "articles" / "cosa-delegare-per-primo.md"
        original = article.read_text("utf-8")
        article.write_text(original + "\nUna riga in più.\n", "utf-8")
        rows.append(("modifica non committata: rifiutata", *publish(project, target,
                                                                   refused=True)))
        git(project, "commit", "--quiet", "-am", "una riga in più")
        rows.append(("dopo 1 modifica", *publish(project, target)))
        rows.append(("stessi byte", *publish(project, target)))
        rows.append(("server irraggiungibile: rifiutata", *publish(
            project, "giulia@server.invalid:/srv/www/blog", refused=True)))
        rows.append(("cartella non scrivibile: rifiutata", *publish(
            project, "/proc/giulia-blog", refused=True)))
    print("| pubblicazione | totale | " + " | ".join(STEPS) + " |")
    print("|---|---:|" + "---:|" * len(STEPS))
    for name, wall, steps, _, _ in rows:
        cells = " | ".join(f"{s:.1f} s" for s in steps)
        print(f"| {name} | {wall:.1f} s | {cells} |")
    print(f"\nCompressione: {rows[0][3]}")
    print(f"Controlli del primo invio: {rows[0][4]}")
    print(f"Controlli dopo 1 modifica: {rows[1][4]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
