"""What a request is: a bot or a person, a page, the kit or something else, and where
the reader came from (the site itself, a search engine, a social network, another site).

Bots are recognised by CrawlerDetect's patterns (the ``crawlerdetect`` package, a port of
the PHP library kept in sync with it), plus a request with no browser name at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from crawlerdetect import CrawlerDetect

# Not pages a reader reads: the search index, the comment server's API.
NOT_PAGES = ("/pagefind/", "/isso/", "/theme/", "/og/")
PAGE_STATUSES = frozenset({200, 304})
# A download is a full answer or a part of one (phones' PDF viewers ask for ranges); a
# 304 only confirms a copy the reader already has.
DOWNLOAD_STATUSES = frozenset({200, 206})

SEARCH, SOCIAL, AI, MAIL, SITE = "ricerca", "social", "ai", "email", "sito"
KIND_LABELS = {SEARCH: "Motore di ricerca", SOCIAL: "Social", AI: "Assistente AI",
               MAIL: "Email", SITE: "Sito"}
KIND_TOTALS = {SEARCH: "Motori di ricerca", SOCIAL: "Social", AI: "Assistenti AI",
               MAIL: "Email", SITE: "Altri siti"}


@dataclass(frozen=True)
class Source:
    """A site or app that sent a reader: «Google», search engine."""

    name: str
    kind: str


# Host (without «www.») → source; a host also matches its subdomains. Looked up from the
# most specific name to the least (``gemini.google.com`` before ``google.com``).
_HOSTS = {
    "mail.google.com": Source("Gmail", MAIL),
    "gemini.google.com": Source("Gemini", AI),
    "bing.com": Source("Bing", SEARCH),
    "duckduckgo.com": Source("DuckDuckGo", SEARCH),
    "ecosia.org": Source("Ecosia", SEARCH),
    "qwant.com": Source("Qwant", SEARCH),
    "search.yahoo.com": Source("Yahoo", SEARCH),
    "yandex.ru": Source("Yandex", SEARCH),
    "yandex.com": Source("Yandex", SEARCH),
    "baidu.com": Source("Baidu", SEARCH),
    "startpage.com": Source("Startpage", SEARCH),
    "search.brave.com": Source("Brave Search", SEARCH),
    "search.libero.it": Source("Libero", SEARCH),
    "facebook.com": Source("Facebook", SOCIAL),
    "fb.me": Source("Facebook", SOCIAL),
    "instagram.com": Source("Instagram", SOCIAL),
    "linkedin.com": Source("LinkedIn", SOCIAL),
    "lnkd.in": Source("LinkedIn", SOCIAL),
    "t.co": Source("X", SOCIAL),
    "x.com": Source("X", SOCIAL),
    "twitter.com": Source("X", SOCIAL),
    "threads.net": Source("Threads", SOCIAL),
    "pinterest.com": Source("Pinterest", SOCIAL),
    "pinterest.it": Source("Pinterest", SOCIAL),
    "reddit.com": Source("Reddit", SOCIAL),
    "youtube.com": Source("YouTube", SOCIAL),
    "tiktok.com": Source("TikTok", SOCIAL),
    "web.whatsapp.com": Source("WhatsApp", SOCIAL),
    "t.me": Source("Telegram", SOCIAL),
    "chatgpt.com": Source("ChatGPT", AI),
    "chat.openai.com": Source("ChatGPT", AI),
    "perplexity.ai": Source("Perplexity", AI),
    "copilot.microsoft.com": Source("Copilot", AI),
    "claude.ai": Source("Claude", AI),
    "outlook.live.com": Source("Outlook", MAIL),
    "mail.yahoo.com": Source("Yahoo Mail", MAIL),
}
# Android apps send ``android-app://package/``.
_APPS = {
    "com.google.android.gm": Source("Gmail", MAIL),
    "com.google.android.googlequicksearchbox": Source("Google", SEARCH),
    "com.linkedin.android": Source("LinkedIn", SOCIAL),
    "com.facebook.katana": Source("Facebook", SOCIAL),
    "com.instagram.android": Source("Instagram", SOCIAL),
    "org.telegram.messenger": Source("Telegram", SOCIAL),
    "com.slack": Source("Slack", SOCIAL),
}
_GOOGLE = re.compile(r"(?:^|\.)google(?:\.com?)?\.[a-z]{2,3}$")
_GOOGLE_SOURCE = Source("Google", SEARCH)


class BotFilter:
    """``is_bot(agent)``, remembered per user agent (a log repeats a few hundred)."""

    def __init__(self) -> None:
        self._detector = CrawlerDetect()
        self._seen: dict[str, str | None] = {}

    def bot_name(self, agent: str) -> str | None:
        """The bot's name as CrawlerDetect matched it, ``""`` for no user agent, or
        ``None`` for a browser."""
        try:
            return self._seen[agent]
        except KeyError:
            pass
        if agent.strip() in ("", "-"):
            name: str | None = ""
        elif self._detector.is_crawler(agent):
            name = self._detector.get_matches() or "?"
        else:
            name = None
        self._seen[agent] = name
        return name


def normalise_path(target: str) -> str:
    """``/x/index.html?utm_source=y`` → ``/x/``; percent escapes decoded."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "%" in path:
        path = unquote(path)
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path or "/"


def is_page(path: str) -> bool:
    """A page a person reads: a folder URL or an ``.html`` file, not the search index."""
    return (path.endswith("/") or path.endswith(".html")) and not path.startswith(NOT_PAGES)


def is_kit(path: str, kit_folder: str) -> bool:
    """The kit's PDF: ``/kit/…pdf``."""
    return path.startswith(kit_folder) and path.endswith(".pdf")


@lru_cache(maxsize=4096)
def external_source(referrer: str) -> Source | None:
    """The source a referrer from outside the site names (``None`` for no referrer)."""
    if referrer in ("", "-"):
        return None
    if referrer.startswith("android-app://"):
        package = referrer[len("android-app://"):].split("/", 1)[0]
        return _APPS.get(package, Source(package, SITE))
    host = (urlsplit(referrer).hostname or "").lower().removeprefix("www.")
    if not host:
        return Source(referrer[:60], SITE)
    labels = host.split(".")
    for start in range(len(labels) - 1):
        source = _HOSTS.get(".".join(labels[start:]))
        if source is not None:
            return source
    if _GOOGLE.search(host):
        return _GOOGLE_SOURCE
    return Source(host, SITE)


class Referrers:
    """A referrer, read against the site's own host names: ``("interno", path)``,
    ``("esterno", Source)`` or ``("nessuno", None)``."""

    INTERNAL, EXTERNAL, NONE = "interno", "esterno", "nessuno"

    def __init__(self, hosts: frozenset[str]) -> None:
        self.hosts = frozenset(host.lower() for host in hosts)
        self._seen: dict[str, tuple[str, object]] = {}

    def read(self, referrer: str) -> tuple[str, object]:
        try:
            return self._seen[referrer]
        except KeyError:
            pass
        if referrer in ("", "-"):
            result: tuple[str, object] = (self.NONE, None)
        else:
            parts = urlsplit(referrer)
            if (parts.hostname or "").lower() in self.hosts:
                result = (self.INTERNAL, normalise_path(parts.path or "/"))
            else:
                result = (self.EXTERNAL, external_source(referrer))
        if len(self._seen) < 100_000:
            self._seen[referrer] = result
        return result
