"""``systemd-analyze verify`` on the units of ``deploy/`` (tests/test_comments_data.py,
tests/test_scheduled_posts.py).

The units name the server's programs (``/srv/giulia-blog/.venv/bin/…``); a unit only
verifies when its programs exist, so the tests swap in this machine's. systemd-analyze
comes with Debian's ``systemd`` package, which ``scripts/system-deps.sh test`` (``make
test``) installs: when it is missing the test fails and names the package, it never skips.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def systemd_analyze() -> str:
    """The path of systemd-analyze (AssertionError naming the package when missing)."""
    found = shutil.which("systemd-analyze")
    assert found is not None, (
        "manca systemd-analyze: installa il pacchetto Debian systemd "
        "(scripts/system-deps.sh test, cioè make test, lo fa da root)")
    return found


def verify_units(folder: Path, names: Sequence[str], programs: Mapping[str, str]) -> None:
    """Copy the units ``names`` of deploy/ into ``folder`` with each server path of
    ``programs`` replaced by this machine's, and check that ``systemd-analyze verify``
    says nothing at all about them (unknown keys are only warnings, exit 0: any message
    fails)."""
    analyze = systemd_analyze()
    texts = {name: (DEPLOY / name).read_text(encoding="utf-8") for name in names}
    for server in programs:
        assert any(server in text for text in texts.values()), \
            f"le unità {', '.join(names)} non nominano più {server}: aggiorna il test"
    for name, text in texts.items():
        for server, here in programs.items():
            text = text.replace(server, here)
        (folder / name).write_text(text, encoding="utf-8")
    result = subprocess.run([analyze, "verify", *(str(folder / name) for name in names)],
                            capture_output=True, text=True, check=False)
    said = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not said, said
