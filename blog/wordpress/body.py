"""WordPress post bodies → clean Markdown (raw HTML only for figures).

Order of work: Gutenberg block comments out; ``<!--more-->`` splits off the summary;
``<!--nextpage-->`` pages are joined; classic shortcodes become HTML (figures, links)
or disappear with a note; WordPress's automatic paragraphs (``wpautop``) are redone;
then, on the parsed HTML, oEmbed URLs and iframes become links, every link and image
is resolved by the importer (new address, copied image, or text only), and
markdownify writes Markdown. Whatever could not be carried over is listed in
``Body.problems`` for the summary.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[\s\S]*?-->")
MORE = re.compile(r"<!--more(?:\s[^>]*)?-->")
NEXTPAGE = re.compile(r"<!--nextpage-->")
OTHER_COMMENT = re.compile(r"<!--[\s\S]*?-->")
ATTRS = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))""")
CAPTION = re.compile(r"\[(?:wp_)?caption([^\]]*)\]([\s\S]*?)\[/(?:wp_)?caption\]")
GALLERY = re.compile(r"\[gallery([^\]]*)\]")
EMBED = re.compile(r"\[embed[^\]]*\]([\s\S]*?)\[/embed\]")
MEDIA = re.compile(r"\[(audio|video)([^\]]*)\](?:([\s\S]*?)\[/\1\])?")
ENCLOSING = re.compile(r"\[([a-z][\w-]*)(\s[^\]]*)?\]([\s\S]*?)\[/\1\]")
SELF_CLOSING = re.compile(r"\[([a-z][\w-]*)(\s[^\]]*=[^\]]*)\]")
KNOWN_PLUGINS = re.compile(
    r"\[(contact-form-7|contact-form|wpforms|ninja_form|gravityform|mc4wp_form|woocommerce_\w+|"
    r"products?|recent_posts|table|toc|ez-toc|shortcode)\b[^\]]*\]"
)
BLOCK_START = re.compile(
    r"^\s*<(p|div|h[1-6]|ul|ol|li|blockquote|pre|figure|table|thead|tbody|tr|td|th|hr|iframe|"
    r"dl|dt|dd|section|address|form|audio|video|script|style|!--)\b",
    re.I,
)
APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
URL_ONLY = re.compile(r"^https?://\S+$")
PROVIDERS = {
    "youtube.com": "Guarda il video su YouTube",
    "youtu.be": "Guarda il video su YouTube",
    "vimeo.com": "Guarda il video su Vimeo",
    "twitter.com": "Leggi il post su X",
    "x.com": "Leggi il post su X",
    "instagram.com": "Guarda il post su Instagram",
    "facebook.com": "Guarda il post su Facebook",
    "spotify.com": "Ascolta su Spotify",
    "soundcloud.com": "Ascolta su SoundCloud",
}
DROPPED_TAGS = ("script", "style", "form", "noscript", "object", "embed", "input", "button")


@dataclass
class Body:
    markdown: str
    more_text: str = ""  # plain text before <!--more-->, if any
    problems: list[str] = field(default_factory=list)


@dataclass
class Resolvers:
    """The importer's answers: a new href/src, or ``None`` to keep only the text."""

    link: Callable[[str], str | None]
    media: Callable[[str], str | None]
    attachments: dict[int, tuple[str, str]]  # id → (url, alt)


def attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
            for m in ATTRS.finditer(text or "")}


def embed_label(url: str) -> str:
    host = urlparse(url).hostname or ""
    host = host.removeprefix("www.").removeprefix("m.")
    for domain, label in PROVIDERS.items():
        if host == domain or host.endswith("." + domain):
            return label
    return f"Apri il contenuto su {host}" if host else "Apri il contenuto"


def _embed_html(url: str) -> str:
    url = url.strip()
    return f'\n\n<p><a href="{html.escape(url)}">{embed_label(url)}</a></p>\n\n'


def _caption(match: re.Match, problems: list[str]) -> str:
    attrs = attributes(match.group(1))
    inner = match.group(2)
    tags = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)([\s\S]*)", inner)
    if not tags:
        problems.append("una didascalia [caption] senza immagine è diventata testo")
        return f"\n\n<p>{inner}</p>\n\n"
    caption = (attrs.get("caption") or tags.group(2)).strip()
    return f"\n\n<figure>{tags.group(1)}<figcaption>{caption}</figcaption></figure>\n\n"


def _gallery(match: re.Match, resolvers: Resolvers, problems: list[str]) -> str:
    ids = [int(x) for x in re.findall(r"\d+", attributes(match.group(1)).get("ids", ""))]
    images = [resolvers.attachments[i] for i in ids if i in resolvers.attachments]
    if len(images) < len(ids) or not ids:
        problems.append("galleria: alcune immagini non sono nell’export "
                        "(servono gli id degli allegati)")
    if not images:
        return ""
    tags = "".join(f'<img src="{html.escape(url)}" alt="{html.escape(alt)}">'
                   for url, alt in images)
    return f'\n\n<figure class="galleria">{tags}</figure>\n\n'


def _media(match: re.Match) -> str:
    kind, attrs = match.group(1), attributes(match.group(2))
    src = attrs.get("src") or next(
        (v for k, v in attrs.items() if k in {"mp3", "m4a", "ogg", "wav", "mp4", "webm", "ogv"}), ""
    )
    if not src:
        return ""
    name = src.rstrip("/").rsplit("/", 1)[-1]
    label = "Ascolta l’audio" if kind == "audio" else "Guarda il video"
    return f'\n\n<p><a href="{html.escape(src)}">{label} ({html.escape(name)})</a></p>\n\n'


def expand_shortcodes(text: str, resolvers: Resolvers, problems: list[str]) -> str:
    """Classic shortcodes → HTML; unknown ones out (their enclosed text kept), noted."""
    text = CAPTION.sub(lambda m: _caption(m, problems), text)
    text = GALLERY.sub(lambda m: _gallery(m, resolvers, problems), text)
    text = EMBED.sub(lambda m: _embed_html(m.group(1)), text)
    text = MEDIA.sub(_media, text)

    def drop(match: re.Match) -> str:
        problems.append(f"shortcode [{match.group(1)}] rimosso "
                        "(non ha equivalente in un sito statico)")
        return match.group(3) if match.lastindex and match.lastindex >= 3 else ""

    text = ENCLOSING.sub(drop, text)
    text = SELF_CLOSING.sub(drop, text)
    return KNOWN_PLUGINS.sub(lambda m: drop(m) or "", text)


def autop(text: str) -> str:
    """WordPress's ``wpautop``, simplified: blank lines make paragraphs, newlines breaks."""
    chunks = []
    for chunk in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        chunk = chunk.strip()
        if not chunk:
            continue
        if URL_ONLY.match(chunk):
            chunks.append(_embed_html(chunk))
        elif BLOCK_START.match(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(chunks)


def _replace_embeds(soup: BeautifulSoup, problems: list[str]) -> None:
    for figure in soup.select("figure.wp-block-embed, figure[class*=wp-block-embed]"):
        url = figure.get_text(" ", strip=True).split(" ")[0]
        if URL_ONLY.match(url):
            figure.replace_with(BeautifulSoup(_embed_html(url), "html.parser"))
    for paragraph in soup.find_all("p"):
        text = paragraph.get_text(strip=True)
        if URL_ONLY.match(text) and not paragraph.find("a"):
            paragraph.replace_with(BeautifulSoup(_embed_html(text), "html.parser"))
    for frame in soup.find_all("iframe"):
        src = frame.get("src", "")
        if src.startswith(("http://", "https://")):
            frame.replace_with(BeautifulSoup(_embed_html(src), "html.parser"))
            problems.append(f"contenuto incorporato (iframe) sostituito da un link a {src}")
        else:
            frame.decompose()
    for name in DROPPED_TAGS:
        for tag in soup.find_all(name):
            problems.append(f"elemento <{name}> rimosso")
            tag.decompose()


def _resolve(soup: BeautifulSoup, resolvers: Resolvers) -> None:
    for img in soup.find_all("img"):
        src = resolvers.media(img.get("src", ""))
        alt = (img.get("alt") or "").strip()
        if src is None:
            img.replace_with(NavigableString(alt) if alt else NavigableString(""))
            continue
        img.attrs = {"src": src, "alt": alt}
    for link in soup.find_all("a"):
        href = link.get("href")
        target = resolvers.link(href) if href else None
        if target is None:
            link.unwrap()
            continue
        link.attrs = {"href": target} | ({"title": link["title"]} if link.get("title") else {})
        if not link.get_text(strip=True) and not link.find("img"):
            link.decompose()


def _figure_html(figure: Tag) -> str:
    parts = []
    for img in figure.find_all("img"):
        tag = f'<img src="{html.escape(img["src"])}" alt="{html.escape(img.get("alt", ""))}">'
        parent = img.parent
        if isinstance(parent, Tag) and parent.name == "a" and parent.get("href"):
            tag = f'<a href="{html.escape(parent["href"])}">{tag}</a>'
        parts.append(tag)
    caption = figure.find("figcaption")
    caption_text = caption.get_text(" ", strip=True) if caption else ""
    caption_text = APOSTROPHE.sub("’", caption_text)  # raw HTML: smarty does not see it
    if not parts:
        leftover = figure.get_text(" ", strip=True)
        return f"\n\n{leftover}\n\n" if leftover else "\n\n"
    if caption_text:
        parts.append(f"<figcaption>{html.escape(caption_text, quote=False)}</figcaption>")
    css = ' class="galleria"' if len(parts) > 2 or "galleria" in (figure.get("class") or []) else ""
    return f"\n\n<figure{css}>\n" + "\n".join(parts) + "\n</figure>\n\n"


# Text that Markdown would take for HTML: a tag, a comment, a character reference.
TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
REFERENCE = re.compile(r"&(?=#?\w+;)")


class _Converter(MarkdownConverter):
    """markdownify, with figures kept as small raw-HTML blocks (Markdown has no figure)
    and text that only looks like HTML («scrivere &lt;script&gt;») kept as text."""

    def escape(self, text, parent_tags):
        text = super().escape(text, parent_tags)
        return TAG_START.sub("&lt;", REFERENCE.sub("&amp;", text))

    def convert_figure(self, el, text, parent_tags):
        return _figure_html(el)


def to_markdown(fragment: str | BeautifulSoup) -> str:
    converter = _Converter(heading_style="ATX", bullets="-", strong_em_symbol="*",
                           escape_misc=False)
    markdown = (converter.convert_soup(fragment) if isinstance(fragment, BeautifulSoup)
                else converter.convert(fragment))
    # Trailing spaces go, except the two of a hard line break (<br>).
    markdown = "\n".join(line if line.endswith("  ") and line.strip() else line.rstrip()
                         for line in markdown.splitlines())
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (titles, summaries)."""
    if "<" not in (fragment or "") and "&" not in (fragment or ""):
        return " ".join((fragment or "").split())
    text = BeautifulSoup(fragment or "", "html.parser").get_text(" ")
    return " ".join(html.unescape(text).split())


# Tags a WordPress title may carry as formatting: its text is what readers saw.
INLINE_TAGS = {"a", "abbr", "b", "bdi", "br", "cite", "code", "del", "em", "font", "i", "ins",
               "kbd", "mark", "q", "s", "small", "span", "strong", "sub", "sup", "u", "wbr"}


def title_text(raw: str) -> str:
    """A WordPress title as plain text: formatting tags give their text («Le <em>tre</em>
    regole» → «Le tre regole»); any other tag is words the author wrote about HTML
    («Perché <script> non basta») and stays as written, entities decoded."""
    if "<" not in (raw or ""):
        return plain_text(raw)
    names = {tag.name for tag in BeautifulSoup(raw, "html.parser").find_all(True)}
    if names <= INLINE_TAGS:
        return plain_text(raw)
    return " ".join(html.unescape(raw).split())


def convert(content: str, resolvers: Resolvers) -> Body:
    """The Markdown body of one item, its ``<!--more-->`` text and what was lost."""
    problems: list[str] = []
    text = BLOCK_COMMENT.sub("", content)
    more_text = ""
    parts = MORE.split(text, maxsplit=1)
    if len(parts) == 2:
        more_text = plain_text(OTHER_COMMENT.sub("", NEXTPAGE.sub("", parts[0])))
        text = parts[0] + "\n\n" + parts[1]
    text = NEXTPAGE.sub("\n\n", text)
    text = OTHER_COMMENT.sub("", text)
    text = expand_shortcodes(text, resolvers, problems)
    soup = BeautifulSoup(autop(text), "html.parser")
    _replace_embeds(soup, problems)
    _resolve(soup, resolvers)
    return Body(to_markdown(soup), more_text, problems)
