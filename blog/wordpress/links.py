"""The links and files inside a post's body: each one's new target, or only its text.

A link to the old site becomes Pelican's ``{filename}`` of the item it pointed at (by
``?p=``/``?page_id=`` or by its old path), ``{category}``/``{tag}``/``{index}``; an upload
becomes a copied ``{static}`` file. A link to something no longer public, an unsafe
scheme or a file that could not be copied leaves only its text, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlparse

from blog.wordpress.media import Media
from blog.wordpress.plans import Plan
from blog.wordpress.redirects import rules
from blog.wordpress.site import Site
from blog.wordpress.summary import Report
from blog.wordpress.terms import Terms


@dataclass
class Links:
    """Resolves the hrefs and srcs of the body being converted."""

    media: Media
    terms: Terms
    report: Report
    by_id: dict[int, Plan]
    by_old_path: dict[str, Plan]  # old address (``rules.old_address``) → its item
    site: Site
    base: str = ""  # the old blog's folder (``/blog``), before its own addresses
    lost: list[str] = field(default_factory=list)  # files the current item could not get

    def link(self, plan: Plan, href: str) -> str | None:
        """The new href of a link in ``plan``'s body, or None to keep only the text."""
        if href.startswith(("#", "mailto:", "tel:")):
            return href
        if urlparse(href).scheme not in ("", "http", "https"):
            self.report.note(plan.label, f"link {href[:40]} tolto (indirizzo non sicuro)")
            return None
        if self.media.upload_path(href) is not None:
            return self.file(href)
        if not self.media.is_old_site(href):
            return href
        parsed = urlparse(href)
        query = parse_qs(parsed.query)
        target: Plan | None = None
        for name in ("p", "page_id"):
            if query.get(name, [""])[0].isdigit():
                target = self.by_id.get(int(query[name][0]))
        path = unquote(parsed.path) or "/"
        if target is None and path not in ("/", ""):
            address = rules().old_address(parsed.path if parsed.path.endswith("/")
                                          else parsed.path + "/")
            target = self.by_old_path.get(address or "")
        fragment = f"#{parsed.fragment}" if parsed.fragment else ""
        if target is not None:
            if target.link_target:
                return "{filename}/" + target.link_target + fragment
            self.report.note(plan.label, f"link a {target.label} tolto (non è pubblico), "
                                         "resta il testo")
            return None
        own = parsed.path.removeprefix(self.base) if self.base else parsed.path
        parts = [p for p in own.split("/") if p]  # nicenames stay percent-encoded
        if len(parts) >= 2 and parts[0] in ("category", "tag"):
            term = self.terms.link(parts[0], parts[-1].lower(), self.site)
            if term is not None:
                return term
        if own.strip("/") == "" and not query:
            return "{index}"
        self.report.note(plan.label, f"link al vecchio sito {href} tolto (nessuna pagina "
                                     "corrispondente), resta il testo")
        return None

    def file(self, url: str) -> str | None:
        """``Media.resolve``, remembering for the current item what could not be copied."""
        target = self.media.resolve(url)
        if target is None and url and not url.startswith("data:"):
            self.lost.append(self.media.upload_path(url) or url)
        return target
