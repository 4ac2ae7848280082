"""``invoke check``: is a built site fit to publish?

Checks, cheapest first:

1. links and anchors: every internal ``href``/``src``/``srcset`` (relative, root-relative
   or absolute on the site's own URL) and every CSS ``url()`` points to a file of the
   site, and every ``#fragment`` to an ``id`` of the target page;
2. drafts: no page of a ``Status: draft`` source, no ``bozze/`` folder, no link to one;
3. page weight: the budgets below, measured by ``buildtools.validate.page_weight``;
4. HTML: the Nu Html Checker (``buildtools.validate.html_errors``);
5. accessibility: axe-core in Chromium, light and dark (``buildtools.validate.axe_violations``).

``run_checks`` returns a :class:`CheckReport`; its ``text()`` is the Italian report the
author reads. With ``fail_fast`` the slow checks (4, 5) are skipped once a cheap one failed.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from buildtools.report import plural, seconds_it, size_it

ROOT = Path(__file__).resolve().parent.parent

# What a first visit to a page downloads, brotli bytes as validate.page_weight measures
# them ("initial" = HTML + CSS + JS); "requests" and "third_party" are counts. Keys
# that page_weight does not return are ignored. The search UI and comments load only
# when the reader asks for them, so they are not in these numbers.
PAGE_BUDGETS: dict[str, int] = {
    "initial": 75_000,
    "html": 40_000,
    "css": 25_000,
    "js": 30_000,
    "font": 100_000,
    "image": 150_000,
    "total": 300_000,
    "requests": 20,
    "third_party": 0,
}
COUNTED = {"requests", "third_party"}
REWRITTEN = {".html", ".css", ".js", ".json", ".xml", ".webmanifest", ".svg"}
LINK_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",),
    "img": ("src", "srcset"), "source": ("src", "srcset"), "script": ("src",),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "track": ("src",), "embed": ("src",), "object": ("data",), "form": ("action",),
}
SKIP_SCHEMES = {"mailto", "tel", "data", "javascript", "about", "blob"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]+)\1\s*\)""")
META_LINE = re.compile(r"^(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*)$")


@dataclass
class CheckResult:
    """One check: its Italian name, its problems, how long it took, whether it ran."""

    name: str
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""
    skipped_on_request: bool = False
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and (not self.skipped or self.skipped_on_request)


@dataclass
class CheckReport:
    """All the checks run on one site."""

    site: Path
    results: list[CheckResult] = field(default_factory=list)
    pages: int = 0

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def problem_count(self) -> int:
        return sum(len(r.problems) for r in self.results)

    def text(self, limit: int = 30) -> str:
        """The readable report: one block per check, problems listed (first ``limit``).

        The same message on many pages (a template problem) is one line naming them.
        """
        lines = []
        for result in self.results:
            if result.skipped:
                lines.append(f"– {result.name}: saltato ({result.skipped})")
                continue
            mark = "✓" if result.ok else "✗"
            count = "nessun problema" if result.ok else plural(
                len(result.problems), "problema", "problemi")
            note = f"; {result.note}" if result.note else ""
            lines.append(f"{mark} {result.name}: {count} ({seconds_it(result.seconds)}{note})")
            grouped = group_problems(result.problems)
            for problem in grouped[:limit]:
                lines.append(f"    {problem}")
            if len(grouped) > limit:
                lines.append(f"    … e altri {len(grouped) - limit}")
        return "\n".join(lines)

    def summary(self, seconds: float) -> str:
        """One line: ``Controlli superati: 39 pagine, 5 controlli, 12,3 s``."""
        ran = [r for r in self.results if not r.skipped]
        if self.ok:
            return (f"Controlli superati: {plural(self.pages, 'pagina', 'pagine')}, "
                    f"{plural(len(ran), 'controllo', 'controlli')}, {seconds_it(seconds)}")
        failed = [r.name for r in self.results if r.problems]
        skipped = [r.name for r in self.results if r.skipped]
        text = (f"Controlli NON superati: {plural(self.problem_count, 'problema', 'problemi')} "
                f"in {', '.join(failed) or '—'}")
        if skipped:
            text += f" (saltati: {', '.join(skipped)})"
        return f"{text}, {seconds_it(seconds)}"


_LOCATED = re.compile(r"^(?P<where>\S+ \[\w+\]|[^\s:]+:\d+|[^\s:]+): (?P<message>.+)$")
_AXE = re.compile(r"^(?P<where>\S+ \[\w+\]) (?P<message>.+)$")


def group_problems(problems: Sequence[str], show: int = 3) -> list[str]:
    """Merge problems that differ only by page: ``message — in 39 pagine: a, b, c, …``."""
    order: list[str] = []
    places: dict[str, list[str]] = {}
    for problem in problems:
        match = _AXE.match(problem) or _LOCATED.match(problem)
        if not match:
            order.append(problem)
            places[problem] = []
            continue
        message = match.group("message")
        if message not in places:
            order.append(message)
            places[message] = []
        places[message].append(match.group("where"))
    lines = []
    for message in order:
        where = places[message]
        if not where:
            lines.append(message)
        elif len(where) == 1:
            lines.append(f"{where[0]}: {message}")
        else:
            shown = ", ".join(where[:show]) + (", …" if len(where) > show else "")
            lines.append(f"{message} — in {len(where)} punti: {shown}")
    return lines


# --------------------------------------------------------------------------- parsing


class _PageParser(HTMLParser):
    """Collect the ids and the outgoing URLs of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str]] = []  # (tag/attr, url)
        self.base: str | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "base" and values.get("href"):
            self.base = values["href"]
        if tag == "style":
            self._in_style = True
        if tag == "link" and "preconnect" in values.get("rel", "").split():
            return
        for attr in LINK_ATTRS.get(tag, ()):
            value = values.get(attr, "").strip()
            if not value:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.urls.append((f"{tag} {attr}", url))
            else:
                self.urls.append((f"{tag} {attr}", value))
        style = values.get("style")
        if style:
            self.urls += [(f"{tag} style", m.group("url")) for m in CSS_URL.finditer(style)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += [("style", m.group("url")) for m in CSS_URL.finditer(data)]


@dataclass
class _Page:
    ids: set[str]
    urls: list[tuple[str, str]]
    base: str | None


class SiteIndex:
    """Every HTML page of a site, parsed once (ids and outgoing URLs)."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.pages: dict[str, _Page] = {}
        for path in sorted(site.rglob("*.html")):
            if not path.is_file():
                continue
            parser = _PageParser()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            parser.close()
            rel = path.relative_to(site).as_posix()
            self.pages[rel] = _Page(parser.ids, parser.urls, parser.base)

    def ids_of(self, rel: str) -> set[str] | None:
        page = self.pages.get(rel)
        return page.ids if page else None


def page_url(rel: str) -> str:
    """Site path a browser sees for a file: ``a/index.html`` → ``/a/``."""
    url = "/" + rel
    return url[: -len("index.html")] if url.endswith("/index.html") or url == "/index.html" else url


def _site_prefixes(siteurl: str | Sequence[str]) -> tuple[str, ...]:
    """Absolute forms of the site's own URL(s): links starting so are internal."""
    urls = [siteurl] if isinstance(siteurl, str) else list(siteurl)
    variants: set[str] = set()
    for url in urls:
        base = url.strip().rstrip("/")
        if not base:
            continue
        parts = urlsplit(base)
        variants.add(base)
        if parts.scheme in ("http", "https"):
            variants.add(f"//{parts.netloc}{parts.path}")
    return tuple(sorted(variants, key=len, reverse=True))


def _internal_path(url: str, from_url: str, prefixes: Sequence[str]) -> tuple[str, str] | None:
    """Return ``(site path, fragment)`` for an internal URL, None for an external one."""
    for prefix in prefixes:
        if url == prefix or url.startswith(prefix + "/") or url.startswith(prefix + "#"):
            url = "/" + url[len(prefix):].lstrip("/")
            break
    parts = urlsplit(url)
    if parts.scheme in SKIP_SCHEMES:
        return None
    if parts.scheme or parts.netloc:
        return None
    absolute = urlsplit(urljoin("http://site" + from_url, url))
    return unquote(absolute.path) or "/", unquote(absolute.fragment)


def _resolve(site: Path, path: str) -> str | None:
    """The file a static server sends for ``path`` (relative to ``site``), or None."""
    clean = posixpath.normpath(path)
    if clean.startswith("/.."):
        return None
    rel = clean.lstrip("/")
    candidate = site / rel if rel else site
    if path.endswith("/") or candidate.is_dir():
        index = (candidate / "index.html")
        return (f"{rel}/index.html" if rel else "index.html") if index.is_file() else None
    return rel if candidate.is_file() else None


# --------------------------------------------------------------------------- checks


def check_links(site: Path, index: SiteIndex, siteurl: str | Sequence[str] = "") -> list[str]:
    """Dead internal links, dead anchors and dead CSS ``url()``s, one line each."""
    prefixes = _site_prefixes(siteurl)
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for rel, page in index.pages.items():
        from_url = page_url(rel)
        if page.base:
            base = _internal_path(page.base, from_url, prefixes)
            if base:
                from_url = base[0]
        for where, url in page.urls:
            target = _internal_path(html.unescape(url), from_url, prefixes)
            if target is None:
                continue
            path, fragment = target
            if where == "form action":
                fragment = ""
            resolved = _resolve(site, path)
            if resolved is None:
                key = (rel, url)
                if key not in seen:
                    seen.add(key)
                    problems.append(f"{rel}: «{url}» ({where}) porta a un indirizzo che non esiste")
                continue
            if fragment and resolved.endswith(".html"):
                ids = index.ids_of(resolved) or set()
                if fragment not in ids and fragment != "top":
                    problems.append(
                        f"{rel}: «{url}» ({where}) punta all’ancora #{fragment}, "
                        f"che non c’è in {resolved}"
                    )
    for css in sorted(site.rglob("*.css")):
        rel = css.relative_to(site).as_posix()
        for match in CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            url = match.group("url").strip()
            target = _internal_path(url, "/" + rel, prefixes)
            if target is None or url.startswith("#"):
                continue
            if _resolve(site, target[0]) is None:
                problems.append(f"{rel}: url({url}) porta a un file che non esiste")
    return problems


@dataclass(frozen=True)
class Draft:
    """A ``Status: draft`` source: where it is, its title and slug."""

    source: Path
    title: str
    slug: str


def find_drafts(content: Path) -> list[Draft]:
    """Every Markdown source in ``content`` whose front matter says ``Status: draft``."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    drafts = []
    for source in sorted(content.rglob("*.md")):
        meta: dict[str, str] = {}
        for line in source.read_text(encoding="utf-8", errors="replace").splitlines():
            match = META_LINE.match(line)
            if not match:
                break
            meta[match.group("key").lower()] = match.group("value").strip()
        if meta.get("status", "").lower() != "draft":
            continue
        title = meta.get("title", source.stem)
        slug = meta.get("slug") or slugify(
            title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
        drafts.append(Draft(source=source, title=title, slug=slug))
    return drafts


def check_drafts(
    site: Path, index: SiteIndex, content: Path | None, siteurl: str | Sequence[str] = ""
) -> list[str]:
    """No draft page, no ``bozze/`` folder, no link to a draft, no draft title in a page."""
    problems = []
    if (site / "bozze").exists():
        problems.append("bozze/: la cartella delle bozze è nel sito (DELEGA_SHOW_DRAFTS=1?)")
    drafts = find_drafts(content) if content and content.is_dir() else []
    prefixes = _site_prefixes(siteurl)
    for draft in drafts:
        name = draft.source.name
        if (site / draft.slug).exists():
            problems.append(f"{draft.slug}/: è la bozza {name}, non deve essere pubblicata")
        escaped = html.escape(draft.title, quote=False)
        for rel, page in index.pages.items():
            for _, url in page.urls:
                target = _internal_path(html.unescape(url), page_url(rel), prefixes)
                if target and target[0].strip("/").split("/")[-1] == draft.slug:
                    problems.append(f"{rel}: ha un link alla bozza {name} («{url}»)")
                    break
        for path in sorted(site.rglob("*")):
            if path.suffix not in (".html", ".xml", ".json", ".txt") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if f"<title>{escaped}" in text or f"<title>{draft.title}" in text:
                problems.append(
                    f"{path.relative_to(site).as_posix()}: contiene il titolo della bozza {name}")
    return problems


def representative_pages(site: Path, index: SiteIndex) -> list[str]:
    """Pages whose weight we budget: home, archive, kit page, the heaviest article."""
    chosen = [p for p in ("index.html", "archivio/index.html",
                          "kit-sulla-delega/index.html") if p in index.pages]
    articles = [p for p in index.pages if p.count("/") == 1 and p.endswith("/index.html")
                and p.split("/")[0] not in {"archivio", "tag", "categoria", "categorie",
                                            "autore", "pagina", "kit-sulla-delega"}]
    if articles:
        chosen.append(max(articles, key=lambda p: ((site / p).stat().st_size, p)))
    return chosen


def check_budgets(
    site: Path,
    pages: Iterable[str],
    weigh: Callable[[Path, str], Mapping[str, int]],
    budgets: Mapping[str, int] = PAGE_BUDGETS,
) -> list[str]:
    """Compare ``weigh(site, page)`` with ``budgets`` for each page."""
    problems = []
    for page in pages:
        weights = dict(weigh(site, page))
        for key, limit in budgets.items():
            value = weights.get(key)
            if value is None or value <= limit:
                continue
            if key in COUNTED:
                problems.append(f"{page}: {value} richieste «{key}», il limite è {limit}")
            else:
                problems.append(
                    f"{page}: {key} pesa {size_it(value)}, il limite è {size_it(limit)}")
    return problems


@contextmanager
def browser_view(site: Path, siteurl: str | Sequence[str] = "") -> Iterator[Path]:
    """The site as a browser on 127.0.0.1 would see it in production.

    A production build links its own files by absolute URL (``https://dominio/…``);
    served from 127.0.0.1 those would count as third-party requests and come without
    styles. For the browser checks we serve a temporary copy whose text files say
    ``/…`` instead: the same pages, the same requests, just to a local origin.
    """
    prefixes = [p for p in _site_prefixes(siteurl) if p.startswith(("http://", "https://"))]
    if not prefixes:
        yield site
        return
    with tempfile.TemporaryDirectory(prefix="vista-browser-") as tmp:
        view = Path(tmp) / "site"
        shutil.copytree(site, view, copy_function=os.link)
        for path in view.rglob("*"):
            if not path.is_file() or path.suffix not in REWRITTEN:
                continue
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            new = text
            for prefix in prefixes:
                new = new.replace(prefix + "/", "/").replace(prefix, "/")
            if new != text:
                path.unlink()  # a hard link: do not write through to the real site
                path.write_text(new, encoding="utf-8", errors="surrogateescape")
        yield view


def _weigher(
    site: Path, pages: Sequence[str], browser: object | None = None
) -> Callable[[Path, str], Mapping[str, int]]:
    """``validate.page_weight``, or ``page_loads`` of all pages in one browser."""
    validate = _validate_module()
    loads_of = getattr(validate, "page_loads", None)
    if loads_of is None:
        return validate.page_weight
    loads = loads_of(site, list(pages), browser=browser)
    return lambda _site, page: loads[page].weights()


def _validate_module():
    from buildtools import validate

    return validate


LISTING_DIRS = {"tag", "categoria", "categorie", "autore", "archivio", "pagina"}


def axe_pages(index: SiteIndex) -> list[str]:
    """Every article and page, and one page of each listing kind.

    Listings (tags, categories, archive, pagination) are one template filled with
    titles and summaries; the author's Markdown only reaches articles and pages.
    """
    chosen, kinds = [], set()
    for rel in sorted(index.pages):
        first = rel.split("/")[0]
        if first in LISTING_DIRS or "/pagina/" in rel:
            kind = (first, "/pagina/" in rel)
            if kind in kinds:
                continue
            kinds.add(kind)
        chosen.append(rel)
    return chosen


class CheckMemo:
    """Pages that already passed a check, by content: ``.cache/controlli/memo.json``.

    A page is checked again only when its bytes, the site's stylesheets and scripts
    (for the browser checks) or the checkers' code changed.
    """

    def __init__(self, path: Path | None, site: Path) -> None:
        self.path = path
        self.data: dict[str, dict[str, str]] = {}
        code = hashlib.sha256()
        for module in ("checks.py", "validate.py"):
            file = ROOT / "buildtools" / module
            if file.is_file():
                code.update(file.read_bytes())
        assets = hashlib.sha256(code.digest())
        for asset in sorted(p for p in site.rglob("*") if p.suffix in (".css", ".js")
                            and p.is_file() and p.relative_to(site).parts[0] != "pagefind"):
            assets.update(asset.relative_to(site).as_posix().encode())
            assets.update(hashlib.sha256(asset.read_bytes()).digest())
        self.code = code.hexdigest()
        self.assets = assets.hexdigest()
        if path is not None:
            try:
                self.data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.data = {}

    def key(self, site: Path, rel: str, with_assets: bool) -> str:
        page = hashlib.sha256((site / rel).read_bytes()).hexdigest()
        return f"{page}:{self.assets if with_assets else self.code}"

    def pending(self, check: str, site: Path, pages: Iterable[str],
                with_assets: bool) -> dict[str, str]:
        """``{page: key}`` of the pages that must be checked."""
        done = self.data.get(check, {})
        keys = {rel: self.key(site, rel, with_assets) for rel in pages}
        return {rel: key for rel, key in keys.items() if done.get(rel) != key}

    def remember(self, check: str, passed: Mapping[str, str]) -> None:
        if self.path is None or not passed:
            return
        self.data.setdefault(check, {}).update(passed)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


@contextmanager
def _only_pages(site: Path, pages: Iterable[str]) -> Iterator[Path]:
    """A folder holding hard links to just ``pages`` of ``site``, same relative paths."""
    with tempfile.TemporaryDirectory(prefix="pagine-da-controllare-") as tmp:
        view = Path(tmp)
        for rel in pages:
            (view / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(site / rel, view / rel)
        yield view


def _passed(pending: Mapping[str, str], problems: Sequence[str]) -> dict[str, str]:
    """The pending pages that no problem line names (lines start with the page path)."""
    failing = {line.split(":")[0].split(" ")[0] for line in problems}
    return {rel: key for rel, key in pending.items() if rel not in failing}


def run_checks(
    site: Path,
    *,
    content: Path | None = ROOT / "content",
    siteurl: str | Sequence[str] = "",
    fail_fast: bool = False,
    quick: bool = False,
    memo: Path | None = None,
    browser: object | None = None,
    say: Callable[[str], None] = print,
) -> CheckReport:
    """Run every check on ``site`` and return the report (printing one line per check).

    With ``memo`` (a JSON file), the slow checks skip pages that passed them before
    with the same bytes (see :class:`CheckMemo`). ``browser``: a Playwright Chromium
    the caller already drives (else one is started for the weight and axe checks).
    """
    site = site.resolve()
    report = CheckReport(site=site)
    if not (site / "index.html").is_file():
        report.results.append(CheckResult(
            "sito", [f"{site}: non c’è index.html, il sito non è stato costruito"]))
        return report
    index = SiteIndex(site)
    report.pages = len(index.pages)
    notes: dict[str, str] = {}

    def run(name: str, func: Callable[[], list[str]]) -> None:
        say(f"· {name}…")
        began = time.perf_counter()
        try:
            problems = func()
        except ImportError as exc:
            problems = [f"strumento non disponibile: {exc}"]
        result = CheckResult(name, problems, time.perf_counter() - began)
        result.note = notes.pop(name, "")
        report.results.append(result)

    notes["Link e ancore"] = plural(report.pages, "pagina", "pagine")
    run("Link e ancore", lambda: check_links(site, index, siteurl))
    run("Bozze", lambda: check_drafts(site, index, content, siteurl))

    with browser_view(site, siteurl) as view, ExitStack() as stack:
        memory = CheckMemo(memo, view)
        shared: list[object] = [browser] if browser is not None else []

        def chromium() -> object:
            """One Chromium for the weight and axe checks, started on first use."""
            if not shared:
                shared.append(stack.enter_context(_validate_module().chromium()))
            return shared[0]

        def memoised(check: str, name: str, pages: list[str], with_assets: bool,
                     func: Callable[[list[str]], list[str]]) -> Callable[[], list[str]]:
            def run_pending() -> list[str]:
                pending = memory.pending(check, view, pages, with_assets)
                unchanged = len(pages) - len(pending)
                if unchanged:
                    checked = plural(len(pending), "pagina controllata", "pagine controllate")
                    notes[name] = f"{checked}, {unchanged} già a posto e invariate"
                problems = func(sorted(pending)) if pending else []
                memory.remember(check, _passed(pending, problems))
                return problems
            return run_pending

        def nu(pages: list[str]) -> list[str]:
            with _only_pages(site, pages) as subset:
                return list(_validate_module().html_errors(subset))

        def axe(pages: list[str]) -> list[str]:
            return list(_validate_module().axe_violations(view, pages=pages, browser=chromium()))

        def weight(pages: list[str]) -> list[str]:
            return check_budgets(view, pages, _weigher(view, pages, chromium()))

        weighed = representative_pages(view, index if view == site else SiteIndex(view))
        run("Peso delle pagine",
            memoised("weight", "Peso delle pagine", weighed, True, weight))
        slow: list[tuple[str, str, list[str], bool, Callable[[list[str]], list[str]]]] = [
            ("nu", "HTML (Nu Html Checker)", sorted(index.pages), False, nu),
            ("axe", "Accessibilità (axe-core, chiaro e scuro)", axe_pages(index), True, axe),
        ]
        for check, name, pages, with_assets, func in slow:
            if quick:
                report.results.append(
                    CheckResult(name, skipped="--quick", skipped_on_request=True))
            elif fail_fast and not report.ok:
                report.results.append(
                    CheckResult(name, skipped="i controlli precedenti sono falliti"))
            else:
                run(name, memoised(check, name, pages, with_assets, func))
    return report
