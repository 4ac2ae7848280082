"""``invoke new "Titolo dell'articolo"``: a draft with the front matter the theme reads.

The slug is plain ASCII: accents folded («perché» → «perche»), apostrophes and
punctuation become hyphens («dell'articolo» → «dell-articolo»), at most 70 characters
cut at a word boundary. The date is now, in the site's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

MAX_SLUG = 70
SPECIAL = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
    "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "þ": "th", "ð": "d", "€": "euro", "&": " e ",
})

TEMPLATE = """\
Title: {title}
Date: {date}
Category: {category}
Tags: {tags}
Slug: {slug}
Summary: Una o due frasi che invogliano a leggere: compaiono negli elenchi, nei feed e su Google.
Status: draft

Scrivi qui l’introduzione: a chi parla l’articolo e che cosa porterà a casa chi legge.

## Il primo punto

Testo del primo punto. Per collegare un altro articolo scrivi
`[testo del link]({{filename}}/articles/nome-del-file.md)`.
"""


class NewPostError(Exception):
    """The post cannot be created; the message is Italian."""


def slugify_it(title: str, max_length: int = MAX_SLUG) -> str:
    """ASCII slug of an Italian title.

    ``"Perché delegare l'agenda?"`` → ``perche-delegare-l-agenda``.
    """
    text = unicodedata.normalize("NFKD", title.translate(SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\W_]+", " ", text)  # ’ « » — … are word breaks, like spaces
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_length]
    return slug.strip("-")


@dataclass(frozen=True)
class NewPost:
    path: Path
    slug: str
    date: str


def create_post(
    title: str,
    articles: Path,
    *,
    category: str,
    tags: str = "delega",
    timezone: str = "Europe/Rome",
    now: dt.datetime | None = None,
) -> NewPost:
    """Write ``articles/<slug>.md`` as a draft; refuse to overwrite an existing file."""
    title = " ".join(title.split())
    if not title:
        raise NewPostError("Serve un titolo: invoke new \"Titolo dell’articolo\"")
    slug = slugify_it(title)
    if not slug:
        raise NewPostError(
            f"Dal titolo «{title}» non si ricava un indirizzo: usa lettere o cifre.")
    path = articles / f"{slug}.md"
    if path.exists():
        raise NewPostError(f"Esiste già {path}: scegli un altro titolo o modifica quel file.")
    taken = _slug_in_use(articles.parent, slug)
    if taken is not None:
        raise NewPostError(f"L’indirizzo /{slug}/ è già usato da {taken}: scegli un altro titolo.")
    when = (now or dt.datetime.now(ZoneInfo(timezone))).strftime("%Y-%m-%d %H:%M")
    articles.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.format(title=title, date=when, category=category, tags=tags,
                                    slug=slug), encoding="utf-8")
    return NewPost(path=path, slug=slug, date=when)


def _slug_in_use(content: Path, slug: str) -> Path | None:
    pattern = re.compile(rf"^Slug:\s*{re.escape(slug)}\s*$", re.M | re.I)
    for source in sorted(content.rglob("*.md")):
        head = source.read_text(encoding="utf-8", errors="replace")[:2000]
        if pattern.search(head):
            return source
    return None
