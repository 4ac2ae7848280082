"""What the production Content-Security-Policy would block, found in the built files.

The policy is read from :mod:`blog.headers` (the one source of the headers sent
online). Without ``'unsafe-inline'`` a browser refuses inline ``<script>`` and
``<style>`` blocks (unless their hash is allowed), ``on…=`` handler attributes,
``style=`` attributes and ``javascript:`` URLs; every resource must come from an
origin its directive lists. Each refusal is a :class:`Finding` naming page and line,
so the author sees in ``invoke check`` what would silently break online.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from blog.checks.findings import Finding
from blog.checks.site import CSS_URL, Link, SiteIndex, internal_path, page_url, site_prefixes

FETCH_FALLBACK = "default-src"
# Scripts with these types are data, not code: the policy does not apply to them.
EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module",
                    "text/ecmascript", "application/ecmascript", "importmap"}
LINK_RELS = {
    "stylesheet": "style-src", "icon": "img-src", "apple-touch-icon": "img-src",
    "mask-icon": "img-src", "manifest": "manifest-src", "modulepreload": "script-src",
}
PRELOAD_AS = {"script": "script-src", "style": "style-src", "font": "font-src",
              "image": "img-src", "fetch": "connect-src", "audio": "media-src",
              "video": "media-src", "track": "media-src", "worker": "worker-src"}
ELEMENT_DIRECTIVES = {
    "script src": "script-src", "img src": "img-src", "img srcset": "img-src",
    "source srcset": "img-src", "video poster": "img-src", "source src": "media-src",
    "video src": "media-src", "audio src": "media-src", "track src": "media-src",
    "iframe src": "frame-src", "object data": "object-src", "embed src": "object-src",
    "form action": "form-action", "button formaction": "form-action",
    "input formaction": "form-action", "style": "img-src",
}
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?(?P<url>[^'")\s;]+)""")


def production_policy() -> dict[str, tuple[str, ...]]:
    """The production CSP as ``{directive: sources}``, parsed from blog.headers."""
    from blog.headers import SECURITY_HEADERS

    return parse_policy(SECURITY_HEADERS["Content-Security-Policy"])


def parse_policy(text: str) -> dict[str, tuple[str, ...]]:
    """``"default-src 'self'; img-src 'self' data:"`` → ``{"default-src": ("'self'",), …}``."""
    policy: dict[str, tuple[str, ...]] = {}
    for part in text.split(";"):
        words = part.split()
        if words:
            policy.setdefault(words[0].lower(), tuple(words[1:]))
    return policy


def sources_for(policy: Mapping[str, tuple[str, ...]], directive: str) -> tuple[str, ...] | None:
    """The sources that apply to ``directive``: its own, else the fallback; None = no limit."""
    if directive in policy:
        return policy[directive]
    if directive == "frame-src" and "child-src" in policy:
        return policy["child-src"]
    if directive == "worker-src":
        for fallback in ("child-src", "script-src"):
            if fallback in policy:
                return policy[fallback]
    if directive.endswith("-src"):
        return policy.get(FETCH_FALLBACK)
    return None  # form-action, base-uri, frame-ancestors do not fall back


def _inline_allowed(sources: tuple[str, ...] | None, body: str | None, hashes: bool) -> bool:
    """Does this source list allow an inline block (``body``) or attribute (``None``)?"""
    if sources is None:
        return True
    lowered = {s.lower() for s in sources}
    if body is not None and hashes:
        from blog.headers import script_hash

        if script_hash(body.encode("utf-8")) in sources:
            return True
    pinned = any(s.startswith(("'sha256-", "'sha384-", "'sha512-", "'nonce-")) for s in lowered)
    return "'unsafe-inline'" in lowered and not pinned


def _url_allowed(sources: tuple[str, ...] | None, url: str, internal: bool) -> bool:
    """Does this source list allow loading ``url`` (``internal``: same origin)?"""
    if sources is None:
        return True
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    for source in sources:
        lowered = source.lower()
        if lowered == "'self'" and internal:
            return True
        if lowered == "*" and (internal or scheme in ("http", "https", "ws", "wss")):
            return True
        if lowered.endswith(":") and "/" not in lowered and lowered[:-1] == scheme:
            return True
        if lowered.startswith("'") or internal or not parts.netloc:
            continue
        host_source = urlsplit(lowered if "//" in lowered else "//" + lowered)
        if host_source.scheme and host_source.scheme != scheme:
            continue
        host = (parts.hostname or "").lower()
        wanted = host_source.hostname or ""
        host_ok = host == wanted or (wanted.startswith("*.") and host.endswith(wanted[1:]))
        if host_ok and (host_source.path in ("", "/") or parts.path.startswith(host_source.path)):
            return True
    return False


def _directive_of(link: Link) -> str | None:
    """Which fetch directive governs the URL of ``link``; None for plain navigation."""
    if link.where == "link href":
        rels = link.rel.split()
        if "preload" in rels:
            return next((PRELOAD_AS[r] for r in rels if r in PRELOAD_AS), FETCH_FALLBACK)
        return next((LINK_RELS[r] for r in rels if r in LINK_RELS), None)
    if link.where.endswith(" style"):
        return "img-src"
    return ELEMENT_DIRECTIVES.get(link.where)


def _shown(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "…"


def _rule_text(directive: str, sources: tuple[str, ...] | None) -> str:
    return f"{directive} {' '.join(sources or ())}".strip()


def _inline_refusal(code, script_src: tuple[str, ...] | None,
                    style_src: tuple[str, ...] | None) -> tuple[str, str] | None:
    """``(rule, message)`` if the policy refuses this inline code, else None."""
    if code.kind == "script" and code.type in EXECUTABLE_TYPES:
        if _inline_allowed(script_src, code.body, hashes=True):
            return None
        return ("csp-inline-script",
                "script scritto nella pagina: la CSP di produzione "
                f"({_rule_text('script-src', script_src)}) lo blocca; "
                "spostalo in un file .js del tema")
    if code.kind == "handler":
        if _inline_allowed(script_src, None, hashes=False):
            return None
        return ("csp-inline-handler",
                f"attributo {code.name}=…: la CSP di produzione blocca i gestori di eventi "
                "scritti nell’HTML; usa addEventListener in un file .js")
    if code.kind == "style":
        if _inline_allowed(style_src, code.body, hashes=True):
            return None
        return ("csp-inline-style",
                "blocco <style> nella pagina: la CSP di produzione "
                f"({_rule_text('style-src', style_src)}) lo blocca; spostalo nel CSS del tema")
    if code.kind == "style-attr" and not _inline_allowed(style_src, None, hashes=False):
        return ("csp-inline-style",
                "attributo style=…: la CSP di produzione lo ignora; usa una classe CSS")
    return None


def check_page(rel: str, page, policy: Mapping[str, tuple[str, ...]],
               prefixes: Sequence[str]) -> list[Finding]:
    """What the policy blocks in one parsed page."""
    problems = []
    script_src = sources_for(policy, "script-src")
    style_src = sources_for(policy, "style-src")
    for code in page.inline:
        blocked = _inline_refusal(code, script_src, style_src)
        if blocked:
            problems.append(Finding(rel, code.line, *blocked))
    from_url = page_url(rel)
    for link in page.links:
        url = html.unescape(link.url).strip()
        if urlsplit(url).scheme.lower() == "javascript":
            if not _inline_allowed(script_src, None, hashes=False):
                problems.append(Finding(
                    rel, link.line, "csp-javascript-url",
                    f"«{_shown(url)}» ({link.where}): la CSP di produzione blocca gli "
                    "indirizzi javascript:; usa un pulsante e un file .js"))
            continue
        directive = _directive_of(link)
        if directive is None:
            continue
        sources = sources_for(policy, directive)
        internal = internal_path(url, from_url, prefixes) is not None and \
            urlsplit(url).scheme.lower() not in ("data", "blob")
        if not _url_allowed(sources, url, internal):
            problems.append(Finding(
                rel, link.line, "csp-off-origin",
                f"«{_shown(url)}» ({link.where}) {_origin_text(url)}: la CSP di "
                f"produzione ({_rule_text(directive, sources)}) lo blocca"))
    return sorted(problems, key=lambda p: (p.line or 0, p.rule))


def _origin_text(url: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("data", "blob"):
        return f"è un indirizzo {scheme}:, non un file del sito"
    return "non viene da questo sito"


def check_stylesheet(rel: str, text: str, policy: Mapping[str, tuple[str, ...]],
                     prefixes: Sequence[str]) -> list[Finding]:
    """Off-origin ``url()``s and ``@import``s of one stylesheet."""
    fonts = [(m.start(), m.end()) for m in FONT_FACE.finditer(text)]
    found = [(m.start(), m.group("url").strip(), "style-src") for m in IMPORT.finditer(text)]
    for match in CSS_URL.finditer(text):
        in_font = any(start <= match.start() < end for start, end in fonts)
        found.append((match.start(), match.group("url").strip(),
                      "font-src" if in_font else "img-src"))
    problems = []
    for at, url, directive in sorted(set(found)):
        if url.startswith("#"):
            continue
        sources = sources_for(policy, directive)
        internal = internal_path(url, "/" + rel, prefixes) is not None and \
            urlsplit(url).scheme.lower() not in ("data", "blob")
        if not _url_allowed(sources, url, internal):
            problems.append(Finding(
                rel, text.count("\n", 0, at) + 1, "csp-off-origin",
                f"«{_shown(url)}» {_origin_text(url)}: la CSP di produzione "
                f"({_rule_text(directive, sources)}) lo blocca"))
    return problems


def check_csp(
    site: Path,
    index: SiteIndex,
    siteurl: str | Sequence[str] = "",
    policy: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Finding]:
    """Everything in the site's pages and stylesheets that ``policy`` (default: the
    production one) would block."""
    policy = production_policy() if policy is None else policy
    prefixes = site_prefixes(siteurl)
    problems = []
    for rel, page in index.pages.items():
        problems += check_page(rel, page, policy, prefixes)
    for css in sorted(site.rglob("*.css")):
        rel = css.relative_to(site)
        if rel.parts[0] == "pagefind":
            continue
        text = css.read_text(encoding="utf-8", errors="replace")
        problems += check_stylesheet(rel.as_posix(), text, policy, prefixes)
    return problems
