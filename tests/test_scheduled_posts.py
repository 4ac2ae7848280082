"""Scheduled posts (plugins/scheduled_posts): a post dated in the future is in no
production file until its date, in the site's time zone; development shows it with a
«programmato per il …» badge; ``invoke publish`` names it."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import shutil
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sitecopy import copy_project, invoke
from tests.systemd_support import verify_units

TOKEN = "Calendario-futuro-9137"
SLUG = "post-programmato-futuro"
# 1 June 2030, 00:30 in Rome: still 31 May in UTC (22:30).
WHEN = dt.datetime(2030, 6, 1, 0, 30, tzinfo=ZoneInfo("Europe/Rome"))
POST = f"""Title: Post programmato {TOKEN}
Date: 2030-06-01 00:30
Category: Delega
Tags: delega, tag-{TOKEN.lower()}
Slug: {SLUG}
Summary: Riassunto {TOKEN}.

Corpo del post programmato {TOKEN}.
"""


def _plugin():
    from blog.build.settings import local_plugin

    return local_plugin("scheduled_posts")


def test_the_clock_is_the_site_time_zone() -> None:
    plugin = _plugin()
    zone = ZoneInfo("Europe/Rome")

    class Post:
        date = WHEN

    before = dt.datetime(2030, 5, 31, 22, 29, tzinfo=dt.UTC)
    after = dt.datetime(2030, 5, 31, 22, 31, tzinfo=dt.UTC)
    assert plugin.is_scheduled(Post, before, zone)
    assert not plugin.is_scheduled(Post, after, zone)
    settings = {"TIMEZONE": "Europe/Rome"}
    # A naive SCHEDULED_NOW is read in TIMEZONE; SOURCE_DATE_EPOCH is seconds (UTC).
    assert plugin.now_for({**settings, "SCHEDULED_NOW": "2030-06-01 00:31"}, {}) == after
    epoch = str(int(after.timestamp()))
    assert plugin.now_for(settings, {"SOURCE_DATE_EPOCH": epoch}) == after
    assert plugin.now_for({**settings, "SCHEDULED_NOW": int(before.timestamp())},
                          {"SOURCE_DATE_EPOCH": epoch}) == before



def test_the_build_reads_the_list_the_plugin_writes() -> None:
    # The skip-when-unchanged check reads the list without loading the plugin.
    from blog.build.fingerprint import SCHEDULED_LIST

    assert SCHEDULED_LIST == _plugin().HELD_FILE

def _files_naming(output: Path, token: str) -> list[str]:
    """Files of ``output`` naming ``token``, in their name or bytes (Pagefind's
    fragments and index read gunzipped)."""
    needles = (token.encode(), token.lower().encode())
    found = []
    for path in output.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b" and not path.name.endswith(".gz"):
            with contextlib.suppress(OSError):
                data = gzip.decompress(data)
        if token.lower() in path.as_posix().lower() or any(n in data for n in needles):
            found.append(path.relative_to(output).as_posix())
    return sorted(found)


@pytest.mark.slow
def test_a_future_post_waits_for_its_date(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "content" / "articles" / f"{SLUG}.md").write_text(POST, encoding="utf-8")
    day_before = str(int((WHEN - dt.timedelta(minutes=1)).timestamp()))
    day_of = str(int((WHEN + dt.timedelta(minutes=1)).timestamp()))

    # Production, the minute before: in no file (pages, listings, tags, feeds, sitemap,
    # search index, social cards).
    held = invoke(project, "preview", env={"SOURCE_DATE_EPOCH": day_before})
    assert held.returncode == 0, held.stdout + held.stderr
    output = (project / "output").resolve()
    assert (output / "sei-pronto-assistente-virtuale" / "index.html").exists()
    assert any(output.glob("pagefind/fragment/*")), "no search index to look into"
    assert _files_naming(output, TOKEN) == []
    assert _files_naming(output, SLUG) == []

    from blog.publish.pipeline import next_scheduled_line

    line = next_scheduled_line(project / "publishconf.py")
    assert f"«Post programmato {TOKEN}», il 1 giugno 2030" in line

    # Production, the minute after: published, with no badge.
    out = invoke(project, "preview", env={"SOURCE_DATE_EPOCH": day_of})
    assert out.returncode == 0, out.stdout + out.stderr
    output = (project / "output").resolve()
    page = (output / SLUG / "index.html").read_text(encoding="utf-8")
    assert TOKEN in page and "programmato per il" not in page
    for name in ("index.html", "sitemap.xml", "feeds/tutti.atom.xml"):
        assert SLUG in (output / name).read_text(encoding="utf-8"), name
    assert any(output.glob(f"og/{SLUG}.*")), "no social card"
    assert any(name.startswith("pagefind/") for name in _files_naming(output, TOKEN))
    assert next_scheduled_line(project / "publishconf.py") == ""

    # Development, before its date: shown, marked, on its page and in the listings.
    dev = invoke(project, "build", env={"SOURCE_DATE_EPOCH": day_before})
    assert dev.returncode == 0, dev.stdout + dev.stderr
    output = (project / "output").resolve()
    badge = '<mark class="scheduled">programmato per il 1 giugno 2030</mark>'
    assert badge in (output / SLUG / "index.html").read_text(encoding="utf-8")
    assert badge in (output / "index.html").read_text(encoding="utf-8")
    assert "programmato per il" not in (
        output / "sei-pronto-assistente-virtuale" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_on_the_wall_clock_an_unchanged_build_runs_once_a_post_comes_due(tmp_path: Path) -> None:
    import json
    import os

    project = copy_project(tmp_path / "project")
    (project / "content" / "articles" / f"{SLUG}.md").write_text(POST, encoding="utf-8")
    first = invoke(project, "build", env={"SOURCE_DATE_EPOCH": ""})
    assert first.returncode == 0, first.stdout + first.stderr
    listed = project / ".cache" / "pelican" / "scheduled-posts.json"
    data = json.loads(listed.read_text(encoding="utf-8"))
    assert data["rebuild_at"] == WHEN.astimezone(dt.UTC).isoformat()
    again = invoke(project, "build", env={"SOURCE_DATE_EPOCH": ""})
    assert "Nessun file è cambiato" in again.stdout, again.stdout

    # Time passes (the list says so, the file keeps its size and time): the site is
    # not what it was, though no file changed.
    before = listed.stat()
    text = listed.read_text(encoding="utf-8")
    came = text.replace(data["rebuild_at"], "2020" + data["rebuild_at"][4:])
    assert len(came) == len(text) and came != text
    listed.write_text(came, encoding="utf-8")
    os.utime(listed, ns=(before.st_atime_ns, before.st_mtime_ns))
    due = invoke(project, "build", env={"SOURCE_DATE_EPOCH": ""})
    assert due.returncode == 0 and "Nessun file è cambiato" not in due.stdout, due.stdout

    # A fixed clock is among the build's inputs: nothing to look out for.
    fixed = invoke(project, "build", env={"SOURCE_DATE_EPOCH": str(int(WHEN.timestamp()) - 60)})
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert json.loads(listed.read_text(encoding="utf-8"))["rebuild_at"] is None


ROOT = Path(__file__).resolve().parent.parent


def test_the_daily_publish_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # The programs must exist to verify: this machine's instead of the server's.
    verify_units(tmp_path, ("blog-publish.service", "blog-publish.timer"),
                 {"/srv/giulia-blog/.venv/bin/invoke": sys.executable,
                  "/usr/bin/git": shutil.which("git") or "/usr/bin/git"})
    unit = (ROOT / "deploy" / "blog-publish.service").read_text(encoding="utf-8")
    assert "ExecStart=/srv/giulia-blog/.venv/bin/invoke publish" in unit
    timer = (ROOT / "deploy" / "blog-publish.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 06:00:00 Europe/Rome" in timer and "Persistent=true" in timer


def test_the_github_workflow_sample_publishes_gh_pages_every_day() -> None:
    import yaml

    sample = ROOT / "deploy" / "github" / "pubblica-programmati.yml"
    workflow = yaml.safe_load(sample.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key «on» as True.
    triggers = workflow.get("on", workflow.get(True))
    assert [entry["cron"] for entry in triggers["schedule"]] == ["10 5 * * *"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "write"}
    steps = workflow["jobs"]["pubblica"]["steps"]
    publish = next(step for step in steps if step.get("name") == "Pubblica")
    assert publish["env"]["DELEGA_DEPLOY"] == "gh-pages"
    assert ".venv/bin/invoke publish" in publish["run"]
    assert not (ROOT / ".github" / "workflows" / sample.name).exists()  # a sample only
