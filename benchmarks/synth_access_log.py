"""A synthetic nginx access log (``combined``) of the blog, with what each line truly is.

``write_log(folder, articles, lines=100_000)`` writes ten weekly files the way logrotate
leaves them (``access.log``, ``access.log.1``, ``access.log.2.gz`` …), ten weeks of a server
in UTC, and returns one :class:`Truth` per line: whether a person or a bot made it, the
reader (address, browser), the reader's day in Italian time, what the line is (a page
view, a kit download, something else) and the source its referrer names. Tests compute
the expected numbers from these records alone.

What is in it: real user agents of phones, tablets, desktops and in-app browsers; bots
(search engines, AI crawlers, SEO tools, link previews, scripts, requests with no user
agent); visits that land from search engines, social networks, AI assistants, mail apps,
other sites or nowhere, read one to four pages (with their CSS, JS, images, search
index and comment counts) and sometimes download the kit: once on a desktop, as a 200
and a handful of 206 range requests on Android, as 206s only on an iPhone, again later
the same day, or revalidated with a 304; readers who come back; scanners with browser
user agents that only get 404s, old WordPress addresses answered 301, HEAD requests,
TLS garbage and a few truncated lines. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import gzip
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SITE = "https://www.giulia-assistente.example"
ROME = ZoneInfo("Europe/Rome")
FIRST_DAY = date(2026, 10, 12)  # a Monday; ten weeks, across the end of summer time
DAYS = 70
KIT = "/kit/kit-sulla-delega.pdf"
KIT_BYTES = 203_420
OTHER_PAGES = ("/", "/kit-sulla-delega/", "/chi-sono/", "/contatti/", "/archivio/",
               "/pagina/2/", "/categoria/delega/", "/tag/delega/", "/arte-della-delega/")
KIT_PAGE = "/kit-sulla-delega/"
ASSETS = ("/theme/css/site.3f9a2c41d0.css", "/theme/js/enhance.8b1e07c2aa.js",
          "/favicon.svg", "/images/scrivania.avif", "/og/sito.png")

PHONES = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",  # noqa: E501
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",  # noqa: E501
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",  # noqa: E501
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/492.0.0.40.107;FBBV/665373537;FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/18.1;FBSS/3;FBID/phone;FBLC/it_IT;FBOP/5;FBRV/667427870]",  # noqa: E501
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.107 Mobile Safari/537.36 Instagram 356.0.0.41.101 Android (34/14; 420dpi; 1080x2400; Google/google; Pixel 8; shiba; shiba; it_IT; 655016498)",  # noqa: E501
    "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 LinkedInApp/9.30.4",  # noqa: E501
)
TABLETS = (
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",  # noqa: E501
)
DESKTOPS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",  # noqa: E501
)
BOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",  # noqa: E501
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",  # noqa: E501
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",  # noqa: E501
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",  # noqa: E501
    "Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Go-http-client/1.1",
    "-",
)
MONITOR = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"
# (referrer, source name as the report names it, weight); "" = no referrer.
ENTRIES = (
    ("https://www.google.com/", "Google", 22), ("https://www.google.it/", "Google", 10),
    ("android-app://com.google.android.googlequicksearchbox/", "Google", 4),
    ("", "", 20), ("https://www.bing.com/", "Bing", 5),
    ("https://duckduckgo.com/", "DuckDuckGo", 4),
    ("https://www.ecosia.org/", "Ecosia", 2), ("https://l.facebook.com/", "Facebook", 4),
    ("https://m.facebook.com/", "Facebook", 2), ("https://l.instagram.com/", "Instagram", 5),
    ("https://www.linkedin.com/", "LinkedIn", 4), ("https://lnkd.in/", "LinkedIn", 2),
    ("https://t.co/", "X", 1), ("android-app://com.google.android.gm/", "Gmail", 3),
    ("https://chatgpt.com/", "ChatGPT", 2), ("https://www.perplexity.ai/", "Perplexity", 1),
    ("https://www.studiobianchi-commercialisti.example/risorse/", "studiobianchi-commercialisti.example", 3),  # noqa: E501
    ("https://forum.partitaiva.example/t/assistente-virtuale/4821", "forum.partitaiva.example", 3),
    ("https://blog.freelance-italia.example/strumenti-2026", "blog.freelance-italia.example", 2),
)
QUERIES = ("", "", "", "?utm_source=newsletter&utm_medium=email", "?fbclid=IwAR2x9f")
SCANS = ("/wp-login.php", "/xmlrpc.php", "/.env", "/wp-admin/", "/.git/config", "/phpmyadmin/")
OLD_ADDRESSES = ("/2019/05/delegare-bene/", "/2021/02/assistente-virtuale-cosa-fa/", "/?p=42")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Truth:
    """What one line of the log is, as the generator made it."""

    kind: str  # "view", "download", "other", "bot" or "junk"
    reader: tuple[str, str] | None = None  # (address, user agent) of a person
    day: date | None = None  # the reader's day, in Italian time
    path: str = ""  # the page viewed (no query string)
    source: str | None = None  # the source an outside referrer names; "" none; None internal
    came_from: str = ""  # the page of the site the referrer names


@dataclass(order=True)
class _Line:
    epoch: float
    text: str
    truth: Truth


def _stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return (f"{moment.day:02d}/{MONTHS[moment.month - 1]}/{moment.year}:"
            f"{moment:%H:%M:%S} +0000")


def _line(moment: datetime, address: str, request: str, status: int, size: int,
          referrer: str, agent: str, truth: Truth) -> _Line:
    text = (f'{address} - - [{_stamp(moment)}] "{request}" {status} {size} '
            f'"{referrer or "-"}" "{agent}"')
    return _Line(moment.timestamp(), text, truth)


class _Generator:
    def __init__(self, articles: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.articles = articles
        # Popularity: the first articles of the list are read far more than the last.
        self.article_weights = [1 / (rank + 1) for rank in range(len(articles))]
        self.readers = [self._new_reader() for _ in range(2600)]
        self.lines: list[_Line] = []

    def _new_reader(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.8:
            address = f"{rng.randint(2, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}." \
                      f"{rng.randint(1, 254)}"
        else:
            address = f"2a01:{rng.randint(0, 0xffff):x}:{rng.randint(0, 0xffff):x}::" \
                      f"{rng.randint(1, 0xffff):x}"
        group = rng.choices((PHONES, DESKTOPS, TABLETS), (60, 35, 5))[0]
        return address, rng.choice(group)

    def _moment(self, day: date) -> datetime:
        hour = self.rng.choices(range(24), [1, 1, 0, 0, 0, 0, 1, 3, 5, 6, 6, 6, 5, 5, 6, 6,
                                            6, 6, 6, 7, 8, 8, 6, 4])[0]
        return datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59),
                        self.rng.randint(0, 59), tzinfo=ROME)

    def _page(self, when: datetime, reader: tuple[str, str], path: str, referrer: str,
              source: str | None, came_from: str) -> None:
        rng, (address, agent) = self.rng, reader
        query = rng.choice(QUERIES) if source is not None else ""
        status = 304 if rng.random() < 0.15 else 200
        day = when.date()
        self.lines.append(_line(when, address, f"GET {path}{query} HTTP/2.0", status,
                                0 if status == 304 else rng.randint(9000, 40000), referrer,
                                agent, Truth("view", reader, day, path, source, came_from)))
        page_url = f"{SITE}{path}{query}"
        assets = [*ASSETS[: rng.randint(1, len(ASSETS))], f"/isso/count?uri={path}"]
        if rng.random() < 0.1:
            assets += ["/pagefind/pagefind.js", "/pagefind/fragment/it_5f2a9c.pf_fragment"]
        for offset, asset in enumerate(assets):
            self.lines.append(_line(when + timedelta(milliseconds=120 * (offset + 1)), address,
                                    f"GET {asset} HTTP/2.0", rng.choice((200, 200, 304)),
                                    rng.randint(300, 30000), page_url, agent,
                                    Truth("other", reader, day)))

    def _download(self, when: datetime, reader: tuple[str, str], referrer: str,
                  source: str | None, came_from: str) -> None:
        rng, (address, agent) = self.rng, reader
        truth = Truth("download", reader, when.date(), KIT, source, came_from)
        if "iPhone" in agent or "iPad" in agent:
            pieces = [(206, 2)] + [(206, rng.randint(20000, 80000))
                                   for _ in range(rng.randint(2, 6))]
        elif "Android" in agent:
            pieces = [(200, rng.randint(4000, 60000))] + [
                (206, rng.randint(8000, 65536)) for _ in range(rng.randint(2, 8))]
        else:
            pieces = [(200, KIT_BYTES)]
        for offset, (status, size) in enumerate(pieces):
            self.lines.append(_line(when + timedelta(milliseconds=300 * offset), address,
                                    f"GET {KIT} HTTP/2.0", status, size, referrer, agent, truth))

    def visit(self, day: date, reader: tuple[str, str]) -> None:
        rng = self.rng
        when = self._moment(day)
        referrer, name, _weight = rng.choices(ENTRIES, [entry[2] for entry in ENTRIES])[0]
        if rng.random() < 0.04:  # a link straight to the PDF (a newsletter, a chat)
            self._download(when, reader, referrer, name, "")
            return
        if rng.random() < 0.72:
            path = rng.choices(self.articles, self.article_weights)[0]
        else:
            path = rng.choice(OTHER_PAGES)
        self._page(when, reader, path, referrer, name, "")
        for _ in range(rng.choices((0, 1, 2, 3), (45, 30, 15, 10))[0]):
            when += timedelta(seconds=rng.randint(20, 400))
            following = rng.choices(self.articles, self.article_weights)[0] \
                if rng.random() < 0.6 else rng.choice(OTHER_PAGES)
            self._page(when, reader, following, f"{SITE}{path}", None, path)
            path = following
        if path in self.articles or path == KIT_PAGE:
            chance = 0.45 if path == KIT_PAGE else 0.16
            if rng.random() < chance:
                when += timedelta(seconds=rng.randint(15, 300))
                self._download(when, reader, f"{SITE}{path}", None, path)
                if rng.random() < 0.1:  # opened again later that day
                    when += timedelta(minutes=rng.randint(5, 90))
                    if when.date() == day:
                        self._download(when, reader, "", "", "")
        elif path == "/" and rng.random() < 0.05:
            when += timedelta(seconds=30)
            address, agent = reader
            self.lines.append(_line(when, address, f"GET {KIT} HTTP/2.0", 304, 0, f"{SITE}/",
                                    agent, Truth("other", reader, day)))

    def people(self, days: int) -> None:
        rng = self.rng
        for number in range(days):
            day = FIRST_DAY + timedelta(days=number)
            weekend = day.weekday() >= 5
            visits = int((70 + number * 0.9) * (0.6 if weekend else 1.0))
            for _ in range(visits):
                reader = rng.choice(self.readers) if rng.random() < 0.35 else \
                    self._new_reader()
                self.visit(day, reader)
                if rng.random() < 0.12:
                    self.visit(day, reader)  # back later the same day

    def robots(self, days: int) -> None:
        rng = self.rng
        bot_truth = Truth("bot")
        targets = [*self.articles, *OTHER_PAGES, KIT, "/robots.txt", "/sitemap.xml",
                   "/feeds/tutti.atom.xml"]
        for number in range(days):
            day = FIRST_DAY + timedelta(days=number)
            for _ in range(rng.randint(330, 420)):
                agent = rng.choice(BOTS)
                path = rng.choice(targets)
                method = "HEAD" if rng.random() < 0.05 else "GET"
                referrer = "https://seo-backlinks.example/" if rng.random() < 0.03 else ""
                self.lines.append(_line(self._moment(day), f"66.249.{rng.randint(64, 95)}."
                                        f"{rng.randint(1, 254)}", f"{method} {path} HTTP/1.1",
                                        rng.choice((200, 200, 200, 304, 404)),
                                        rng.randint(0, 40000), referrer, agent, bot_truth))
            for slot in range(48):  # an uptime monitor, every half hour
                moment = datetime(day.year, day.month, day.day, tzinfo=ROME) + \
                    timedelta(minutes=30 * slot, seconds=7)
                self.lines.append(_line(moment, "216.144.250.150", "HEAD / HTTP/1.1", 200, 0,
                                        "", MONITOR, bot_truth))
            for _ in range(rng.randint(3, 8)):  # TLS spoken to the HTTP port
                self.lines.append(_line(self._moment(day), "45.148.10.42",
                                        "\\x16\\x03\\x01\\x00\\xF7\\x01\\x00\\x00\\xF3\\x03",
                                        400, 157, "", "-", bot_truth))

    def strays(self, days: int) -> None:
        """People's browsers (or scripts posing as them) asking for what is not there."""
        rng = self.rng
        for number in range(days):
            day = FIRST_DAY + timedelta(days=number)
            for _ in range(rng.randint(15, 30)):
                reader = self._new_reader()
                path, status = rng.choice([(scan, 404) for scan in SCANS] +
                                          [(old, 301) for old in OLD_ADDRESSES])
                method = "HEAD" if rng.random() < 0.1 else "GET"
                address, agent = reader
                self.lines.append(_line(self._moment(day), address,
                                        f"{method} {path} HTTP/1.1", status, 162, "", agent,
                                        Truth("other", reader, day)))
            if rng.random() < 0.3:  # a person's HEAD on the PDF (a download manager)
                reader = self._new_reader()
                self.lines.append(_line(self._moment(day), reader[0], f"HEAD {KIT} HTTP/1.1",
                                        200, 0, "", reader[1], Truth("other", reader, day)))
            if rng.random() < 0.7:  # cut short when the disk filled up, or worse
                moment = self._moment(day)
                self.lines.append(_Line(moment.timestamp(),
                                        f'203.0.113.9 - - [{_stamp(moment)}] "GET /chi-so',
                                        Truth("junk")))


def generate(articles: list[str], lines: int = 100_000, seed: int = 26) -> list[_Line]:
    """``lines`` lines in time order (the days of ten weeks, then cut to the number)."""
    generator = _Generator(articles, seed)
    days = DAYS
    generator.people(days)
    generator.robots(days)
    generator.strays(days)
    generator.lines.sort(key=lambda line: line.epoch)
    if len(generator.lines) < lines:
        raise ValueError(f"only {len(generator.lines)} lines for {lines}: raise DAYS")
    return generator.lines[:lines]


def write_log(folder: Path, articles: list[str], lines: int = 100_000,
              seed: int = 26) -> tuple[list[Path], list[Truth]]:
    """Write the log as weekly rotated files into ``folder``; return the files (oldest
    first) and the truth of every line, in time order."""
    generated = generate(articles, lines, seed)
    folder.mkdir(parents=True, exist_ok=True)
    weeks: dict[int, list[str]] = {}
    start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC).timestamp()
    for line in generated:
        weeks.setdefault(int((line.epoch - start) // (7 * 86400)), []).append(line.text)
    files = []
    for age, week in enumerate(sorted(weeks, reverse=True)):
        name = "access.log" if age == 0 else f"access.log.{age}"
        text = "\n".join(weeks[week]) + "\n"
        if age >= 2:  # logrotate's delaycompress: the newest two stay plain
            path = folder / f"{name}.gz"
            with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
                handle.write(text)
        else:
            path = folder / name
            path.write_text(text, encoding="utf-8")
        files.append(path)
    return list(reversed(files)), [line.truth for line in generated]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args()
    from blog.build.settings import settings_file_values
    from blog.paths import PUBLISH_SETTINGS, ROOT
    from blog.stats.site import site_facts

    facts = site_facts(ROOT, settings_file_values(PUBLISH_SETTINGS))
    files, _truth = write_log(args.folder, sorted(facts.articles), args.lines, args.seed)
    print(f"{args.lines} righe in {len(files)} file sotto {args.folder}")


if __name__ == "__main__":
    main()
