"""``invoke stats``: the author's numbers from nginx's access logs.

The main test writes 100,000 lines of a synthetic log (benchmarks/synth_access_log.py:
real user agents, bots, range requests, referrers, ten weeks, rotated .gz files), runs
``invoke stats`` on it the way the author does, and compares every count of the report
with the counts this module works out from what the generator says each line is. The
others pin the parts: the log format, bots, referrers, the daily salt, the kit's
editions, the ssh fetch (as far as building the command), and the page in Chromium
under the site's Content-Security-Policy.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from benchmarks.synth_access_log import BOTS, DESKTOPS, MONITOR, PHONES, TABLETS, write_log
from blog.build.settings import settings_file_values
from blog.paths import PUBLISH_SETTINGS
from blog.publish.target import DeployConfig
from blog.stats.classify import AI, MAIL, SEARCH, SITE, SOCIAL, BotFilter, Referrers
from blog.stats.count import count
from blog.stats.editions import Edition, EditionOfDay, edition_of, kit_editions
from blog.stats.fetch import LogsError, fetch_command, fetch_logs
from blog.stats.parse import LineCount, parse_lines, read_hits
from blog.stats.readers import ReaderKeys
from blog.stats.site import SiteFacts, site_facts, site_hosts
from tests.sitecopy import invoke

ROOT = Path(__file__).resolve().parent.parent
HOSTS = frozenset({"www.giulia-assistente.example", "giulia-assistente.example"})
IPHONE = PHONES[0]


@pytest.fixture(scope="module")
def facts() -> SiteFacts:
    return site_facts(ROOT, settings_file_values(PUBLISH_SETTINGS))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, facts: SiteFacts):
    folder = tmp_path_factory.mktemp("log")
    files, truth = write_log(folder, sorted(facts.articles), lines=100_000)
    return folder, files, truth


def expected_numbers(truth, articles: frozenset[str], editions) -> dict:
    """The report's numbers, from the generator's own account of every line."""
    def edition(day: date) -> str:
        started = [e for e in editions if e.since <= day] or list(editions[:1])
        return max(started).name

    people = [t for t in truth if t.kind in ("view", "download")]
    reader_days = {(t.reader, t.day) for t in people}
    reads = Counter(path for path, _rd in {(t.path, (t.reader, t.day)) for t in people
                                           if t.kind == "view" and t.path in articles})
    sources = {((t.reader, t.day), t.source) for t in people if t.source}
    last_article: dict = {}
    downloads: dict = {}
    for t in people:  # in time order, as the log is
        reader_day = (t.reader, t.day)
        if t.kind == "view":
            if t.path in articles:
                last_article[reader_day] = t.path
        elif reader_day not in downloads:
            downloads[reader_day] = (t.came_from if t.came_from in articles
                                     else last_article.get(reader_day, ""))
    weeks: dict = {}
    for _reader, day in downloads:
        monday = str(day - timedelta(days=day.weekday()))
        weeks.setdefault(monday, Counter())[edition(day)] += 1
    return {
        "righe": len(truth),
        "illeggibili": sum(t.kind == "junk" for t in truth),
        "richieste_bot": sum(t.kind == "bot" for t in truth),
        "lettori": len(reader_days),
        "pagine_viste": sum(t.kind == "view" for t in truth),
        "download": {
            "totale": len(downloads),
            "per_edizione": dict(Counter(edition(day) for _reader, day in downloads)),
            "per_settimana": {monday: dict(counts) for monday, counts in weeks.items()},
        },
        "letto_prima_del_download": dict(Counter(downloads.values())),
        "articoli_letti": dict(reads),
        "provenienze": dict(Counter(source for _rd, source in sources)),
        "nessuna_provenienza": len(reader_days - {rd for rd, _source in sources}),
    }


def test_invoke_stats_counts_a_generated_log_of_100000_lines_exactly(
        generated, facts: SiteFacts, tmp_path: Path) -> None:
    folder, files, truth = generated
    assert len(files) == 11 and sum(path.suffix == ".gz" for path in files) == 9
    report = tmp_path / "rapporto"
    started = time.perf_counter()
    done = invoke(ROOT, "stats", "--log", f"{folder}/access.log*", "--output", str(report))
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    print(f"\ninvoke stats, 100.000 righe: {seconds:.2f} s in tutto (processo compreso)")
    print(done.stdout.strip())

    numbers = json.loads((report / "numeri.json").read_text(encoding="utf-8"))
    expected = expected_numbers(truth, facts.articles, facts.editions)
    for key, value in expected.items():
        assert numbers[key] == value, key
    # What the generator made is all there: both editions, range requests, bots.
    downloads = numbers["download"]
    assert set(downloads["per_edizione"]) == {"Prima edizione", "Seconda edizione"}
    assert len(downloads["per_settimana"]) == 10
    ranges = sum(t.kind == "download" for t in truth)
    assert ranges > 2 * downloads["totale"], "phones' range requests count once"
    assert set(numbers["provenienze"]) >= {"Google", "Bing", "Facebook", "LinkedIn", "Gmail",
                                           "ChatGPT", "forum.partitaiva.example"}
    assert numbers["provenienze_per_tipo"]["ricerca"] > numbers["provenienze_per_tipo"]["ai"]

    page = (report / "index.html").read_text(encoding="utf-8")
    total = f"{downloads['totale']:,}".replace(",", ".")
    assert f"<dd>{total}</dd>" in page
    assert "Dal 12 ottobre 2026 al 19 dicembre 2026" in page
    assert "Seconda edizione" in page and "dal 1º dicembre 2026" in page
    for path in facts.articles:
        assert facts.title(path) in page
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert not any(address in page for address in {t.reader[0] for t in truth if t.reader})


def test_a_line_in_nginx_combined_format() -> None:
    lines = [
        '203.0.113.7 - - [01/Dec/2026:23:30:00 +0000] "GET /kit/kit-sulla-delega.pdf HTTP/2.0" '
        '206 65536 "https://www.giulia-assistente.example/cosa-delegare-per-primo/" '
        f'"{IPHONE}"',
        '2001:db8::1 - giulia [02/Dec/2026:00:30:00 +0100] "GET /?q=\\x22x\\x22 HTTP/1.1" 200 '
        '512 "-" "Mozilla/5.0 \\x22quoted\\x22"',
        '45.148.10.42 - - [02/Dec/2026:01:00:00 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"',
        '203.0.113.9 - - [02/Dec/2026:01:00:00 +0000] "GET /chi-so',
        "",
    ]
    counted = LineCount()
    hits = list(parse_lines(lines, counted))
    assert (counted.lines, counted.unreadable) == (5, 2)
    first, second, garbage = hits
    assert first.status == 206 and first.target == "/kit/kit-sulla-delega.pdf"
    assert first.epoch == 1796167800  # 2026-12-01T23:30:00Z
    assert second.epoch == first.epoch  # the same instant, written in +0100
    assert second.target == "/?q=\\x22x\\x22" and second.agent == 'Mozilla/5.0 "quoted"'
    assert garbage.method == "" and garbage.agent == "-"


def test_rotated_gzip_logs_read_like_plain_ones(tmp_path: Path) -> None:
    line = '203.0.113.7 - - [01/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 9 "-" "x"\n'
    (tmp_path / "access.log.1").write_text(line * 2, encoding="utf-8")
    with gzip.open(tmp_path / "access.log.2.gz", "wt", encoding="utf-8") as handle:
        handle.write(line * 3)
    counted = LineCount()
    hits = list(read_hits(sorted(tmp_path.iterdir()), counted))
    assert len(hits) == 5 and counted.unreadable == 0


def test_bots_are_told_from_people_by_their_user_agent() -> None:
    bots = BotFilter()
    for agent in (*PHONES, *TABLETS, *DESKTOPS):
        assert bots.bot_name(agent) is None, agent
    for agent in (*BOTS, MONITOR, ""):
        assert bots.bot_name(agent) is not None, agent
    assert bots.bot_name(BOTS[0]) == "Googlebot"


@pytest.mark.parametrize(("referrer", "where", "name", "kind"), [
    ("https://www.giulia-assistente.example/cosa-delegare-per-primo/?utm_source=x",
     "interno", "/cosa-delegare-per-primo/", None),
    ("https://giulia-assistente.example/kit-sulla-delega/index.html", "interno",
     "/kit-sulla-delega/", None),
    ("-", "nessuno", None, None),
    ("https://www.google.it/", "esterno", "Google", SEARCH),
    ("https://www.google.co.uk/search?q=delega", "esterno", "Google", SEARCH),
    ("android-app://com.google.android.googlequicksearchbox/", "esterno", "Google", SEARCH),
    ("https://mail.google.com/", "esterno", "Gmail", MAIL),
    ("https://gemini.google.com/", "esterno", "Gemini", AI),
    ("https://lm.facebook.com/l.php?u=x", "esterno", "Facebook", SOCIAL),
    ("https://t.co/", "esterno", "X", SOCIAL),
    ("https://chatgpt.com/", "esterno", "ChatGPT", AI),
    ("https://www.blog-amico.example/post", "esterno", "blog-amico.example", SITE),
])
def test_a_referrer_names_the_site_or_the_source(referrer, where, name, kind) -> None:
    found_where, what = Referrers(HOSTS).read(referrer)
    assert found_where == where
    if where == "interno":
        assert what == name
    elif where == "esterno":
        assert (what.name, what.kind) == (name, kind)


def test_a_reader_key_holds_for_one_day_only() -> None:
    keys = ReaderKeys()
    same = keys.key(20000, "203.0.113.7", IPHONE)
    assert keys.key(20000, "203.0.113.7", IPHONE) == same
    assert keys.key(20001, "203.0.113.7", IPHONE) != same
    assert keys.key(20000, "203.0.113.7", DESKTOPS[0]) != same
    assert ReaderKeys().key(20000, "203.0.113.7", IPHONE) != same  # a salt per run


def test_phone_range_requests_and_reopening_count_as_one_download() -> None:
    facts = SiteFacts(hosts=HOSTS, articles=frozenset({"/a/", "/b/"}),
                      titles={"/a/": "A", "/b/": "B"},
                      editions=(Edition(date(2025, 1, 1), "Prima"),))
    kit = "/kit/kit-sulla-delega.pdf"
    site = "https://www.giulia-assistente.example"
    lines = [  # 10:00 UTC is 11:00 in Rome; 23:30 UTC on the 2nd is already the 3rd there
        f'1.2.3.4 - - [02/Dec/2026:10:00:00 +0000] "GET /a/ HTTP/2.0" 200 9 "https://www.google.it/" "{IPHONE}"',  # noqa: E501
        f'1.2.3.4 - - [02/Dec/2026:10:01:00 +0000] "GET /kit-sulla-delega/ HTTP/2.0" 200 9 "{site}/a/" "{IPHONE}"',  # noqa: E501
        *[f'1.2.3.4 - - [02/Dec/2026:10:02:0{n} +0000] "GET {kit} HTTP/2.0" 206 65536 "{site}/kit-sulla-delega/" "{IPHONE}"'  # noqa: E501
          for n in range(6)],
        f'1.2.3.4 - - [02/Dec/2026:18:00:00 +0000] "GET {kit} HTTP/2.0" 200 203420 "-" "{IPHONE}"',
        f'1.2.3.4 - - [02/Dec/2026:23:30:00 +0000] "GET {kit} HTTP/2.0" 304 0 "-" "{IPHONE}"',
        f'1.2.3.4 - - [02/Dec/2026:23:31:00 +0000] "GET /b/ HTTP/2.0" 200 9 "-" "{IPHONE}"',
        f'1.2.3.4 - - [02/Dec/2026:23:32:00 +0000] "HEAD {kit} HTTP/2.0" 200 0 "-" "{IPHONE}"',
        f'66.249.66.1 - - [02/Dec/2026:10:00:00 +0000] "GET {kit} HTTP/1.1" 200 203420 "-" "{BOTS[0]}"',  # noqa: E501
    ]
    counted = LineCount()
    numbers = count(parse_lines(lines, counted), facts, counted)
    assert numbers.downloads == 1 and numbers.download_origins == {"/a/": 1}
    assert numbers.readers == 2  # the same reader on the 2nd and on the 3rd
    assert numbers.article_reads == {"/a/": 1, "/b/": 1}
    assert {source.name: n for source, n in numbers.sources.items()} == {"Google": 1}
    assert numbers.direct == 1 and numbers.bot_requests == 1
    assert (numbers.first_day, numbers.last_day) == (date(2026, 12, 2), date(2026, 12, 3))


def test_the_kit_editions_come_from_kit_yaml_and_its_history() -> None:
    editions = kit_editions(ROOT)
    names = [edition.name for edition in editions]
    assert names[:2] == ["Prima edizione", "Seconda edizione"]
    assert editions[1].since == date(2026, 12, 1)
    assert edition_of({"edition": "Prima edizione · gennaio 2025"}) == \
        Edition(date(2025, 1, 1), "Prima edizione")
    of_day = EditionOfDay(editions)
    assert of_day.name(date(2026, 11, 30)) == "Prima edizione"
    assert of_day.name(date(2026, 12, 1)) == "Seconda edizione"
    assert of_day.name(date(2024, 1, 1)) == "Prima edizione"


def test_the_site_facts_know_articles_from_pages(facts: SiteFacts) -> None:
    slugs = {f"/{path.stem}/" for path in (ROOT / "content" / "articles").glob("*.md")}
    assert facts.articles and facts.articles <= slugs
    assert "/chi-sono/" not in facts.articles and "/kit-sulla-delega/" not in facts.articles
    assert facts.hosts == HOSTS == site_hosts("https://giulia-assistente.example/")
    assert facts.timezone == "Europe/Rome" and facts.kit_folder == "/kit/"


def test_the_server_logs_are_fetched_with_rsync_over_ssh(tmp_path: Path) -> None:
    config = DeployConfig("rsync", "giulia@server.example:/srv/giulia-blog/output",
                          ssh_port=2222)
    assert fetch_command(config, "/var/log/nginx/access.log*", tmp_path) == [
        "rsync", "--times", "--compress", "--timeout=120",
        "-e", "ssh -p 2222 -o BatchMode=yes -o ConnectTimeout=15",
        "giulia@server.example:/var/log/nginx/access.log*", f"{tmp_path}/"]
    with pytest.raises(LogsError, match="--log"):
        fetch_command(DeployConfig("gh-pages", "origin"), "/x", tmp_path)


def test_a_target_on_this_computer_has_its_logs_read_in_place(tmp_path: Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir()
    for name in ("access.log", "access.log.1", "error.log"):
        (logs / name).write_text("", encoding="utf-8")
    config = DeployConfig("rsync", str(tmp_path / "www"))
    assert fetch_command(config, f"{logs}/access.log*", tmp_path) is None
    assert fetch_logs(config, f"{logs}/access.log*", tmp_path) == [
        logs / "access.log", logs / "access.log.1"]


def test_invoke_stats_says_what_to_do_without_logs(tmp_path: Path) -> None:
    done = invoke(ROOT, "stats", "--log", str(tmp_path / "manca.log"))
    assert done.returncode == 1 and "non esiste" in done.stderr
    done = invoke(ROOT, "stats", env={"DELEGA_DEPLOY": "gh-pages", "DELEGA_DEPLOY_DEST": "origin"})
    assert done.returncode == 1 and "--log" in done.stderr


def test_an_empty_log_makes_a_report_that_says_so(tmp_path: Path) -> None:
    from blog.stats.run import make_report

    (tmp_path / "access.log").write_text("", encoding="utf-8")
    result = make_report([tmp_path / "access.log"], tmp_path / "rapporto",
                         settings_file_values(PUBLISH_SETTINGS))
    page = result.page.read_text(encoding="utf-8")
    assert result.numbers.downloads == 0 and "<svg" not in page
    assert "Ancora nessun download." in page and "0 download del kit" in result.summary()


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_the_report_reads_well_under_the_site_policy(generated, browser, tmp_path: Path,
                                                     width: int) -> None:
    from blog.checks.browser import local_headers, serve
    from blog.stats.run import make_report

    _folder, files, _truth = generated
    settings = settings_file_values(PUBLISH_SETTINGS)
    make_report(files, tmp_path / "rapporto", settings)
    with serve(tmp_path / "rapporto", local_headers()) as url:
        context = browser.new_context(locale="it-IT", viewport={"width": width, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text)
                if message.type in ("error", "warning") else None)
        page.on("request", lambda request: problems.append(request.url)
                if not request.url.startswith(url) else None)
        page.goto(f"{url}/index.html")
        shown = "stretto" if width < 500 else "largo"
        hidden = "largo" if width < 500 else "stretto"
        assert page.locator(f"svg.grafico.{shown}").is_visible()
        assert not page.locator(f"svg.grafico.{hidden}").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator(".classifica").count() == 3
        page.click("summary")  # the weekly table, scrollable sideways on a phone
        from axe_playwright_python.sync_playwright import Axe

        violations = Axe().run(page).response["violations"]
        assert [(v["id"], len(v["nodes"])) for v in violations] == []
        page.screenshot(path=str(tmp_path / f"statistiche-{width}.png"), full_page=True)
        context.close()
    assert problems == []
