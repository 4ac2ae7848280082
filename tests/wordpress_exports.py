"""WordPress exports the tests make themselves (never a copy of a public export).

- :func:`variant`: the project's test export (``tests/data/wordpress/export-ricco.xml``)
  as another WordPress would have written it: WXR 1.0, 1.1 or 1.2, its namespaces bound
  to ``http://`` or ``https://`` URIs, under other prefixes, without the excerpt
  namespace, or as WordPress.com exports it (its own hosts, ``files.wordpress.com``
  uploads resized by query string, private post types);
- :func:`big_export`: a blog at the author's scale, deterministic: posts, pages (three
  levels), threads of comments (approved, pending, spam, trash, pingbacks, replies to
  replies), attachments and the ``wp-content/uploads`` tree beside it (year/month
  folders, ``-300x200`` and ``-1024x683`` variants, ``-scaled`` copies, some originals
  missing). What it made is returned as data, so the tests count against it.
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

WP_12 = "http://wordpress.org/export/1.2/"
HOST = "www.inassistentevirtuale.example"


# ---------------------------------------------------------------- variants of the test export
def variant(xml: str, *, version: str = "1.2", scheme: str = "http", prefix: str = "wp",
            excerpt: bool = True, wpcom: bool = False) -> str:
    """The test export as WordPress ``version`` writes it, namespaces on ``scheme``."""
    base = f"{scheme}://wordpress.org/export/{version}/"
    xml = xml.replace(WP_12, base).replace(
        "<wp:wxr_version>1.2</wp:wxr_version>", f"<wp:wxr_version>{version}</wp:wxr_version>")
    if version == "1.0":
        xml = _as_wxr_1_0(xml)
    if not excerpt:
        xml = re.sub(r'\s*xmlns:excerpt="[^"]*"', "", xml)
        xml = re.sub(r"\s*<excerpt:encoded>.*?</excerpt:encoded>", "", xml, flags=re.S)
    if wpcom:
        xml = _as_wordpress_com(xml)
    if prefix != "wp":
        xml = (xml.replace("xmlns:wp=", f"xmlns:{prefix}=").replace("<wp:", f"<{prefix}:")
               .replace("</wp:", f"</{prefix}:"))
    return xml


def _as_wxr_1_0(xml: str) -> str:
    """WordPress 2.x: no authors nor site URL in the channel (``dc:creator`` is the
    author's display name); every term twice, once bare and once with its nicename;
    tags in the ``tag`` domain."""
    for login, name in re.findall(r"<wp:author_login><!\[CDATA\[(.*?)\]\]></wp:author_login>.*?"
                                  r"<wp:author_display_name><!\[CDATA\[(.*?)\]\]>", xml):
        xml = xml.replace(f"<dc:creator><![CDATA[{login}]]>", f"<dc:creator><![CDATA[{name}]]>")
    xml = re.sub(r"\s*<wp:author>.*?</wp:author>", "", xml, flags=re.S)
    xml = re.sub(r"\s*<wp:base_site_url>.*?</wp:base_site_url>", "", xml)

    def term(match: re.Match) -> str:
        domain, nicename, name = match.groups()
        domain = "tag" if domain == "post_tag" else domain
        bare = f"<category><![CDATA[{name}]]></category>" if domain == "category" else (
            f'<category domain="tag"><![CDATA[{name}]]></category>')
        named = f'<category domain="{domain}" nicename="{nicename}"><![CDATA[{name}]]></category>'
        return f"{bare}\n\t\t{named}"

    return re.sub(r'<category domain="(category|post_tag)" nicename="([^"]*)">'
                  r"<!\[CDATA\[(.*?)\]\]></category>", term, xml)


def _as_wordpress_com(xml: str) -> str:
    """WordPress.com: the blog on its own subdomain, uploads on ``files.wordpress.com``
    with sizes asked by query string, contact-form answers as ``feedback`` items."""
    blog = "inassistentevirtuale.wordpress.com"
    xml = xml.replace("<channel>", "<channel>\n\t<generator>http://wordpress.com/</generator>", 1)
    xml = re.sub(r"<wp:base_site_url>.*?</wp:base_site_url>",
                 "<wp:base_site_url>http://wordpress.com/</wp:base_site_url>", xml)

    def upload(match: re.Match) -> str:
        path, size = match.group(1), match.group(2)
        query = f"?w={size.split('x')[0][1:]}" if size else ""
        return f"https://inassistentevirtuale.files.wordpress.com/{path}{match.group(3)}{query}"

    xml = re.sub(rf"https://{re.escape(HOST)}/wp-content/uploads/([^\"\s<\]]*?)(-\d+x\d+)?"
                 r"(\.[A-Za-z0-9]+)(?=[\"\s<\]])", upload, xml)
    xml = xml.replace(f"https://{HOST}", f"https://{blog}")
    feedback = (
        "\t<item>\n\t\t<title><![CDATA[Mario Rossi - Contatti]]></title>\n"
        f"\t\t<link>https://{blog}/?post_type=feedback&amp;p=901</link>\n"
        "\t\t<content:encoded><![CDATA[TESTO-SEGRETO-MODULO: il mio numero è 333…]]>"
        "</content:encoded>\n"
        "\t\t<wp:post_id>901</wp:post_id>\n\t\t<wp:status><![CDATA[publish]]></wp:status>\n"
        "\t\t<wp:post_type><![CDATA[feedback]]></wp:post_type>\n\t</item>\n"
    )
    return xml.replace("</channel>", feedback + "</channel>")


# ---------------------------------------------------------------- a blog at the author's scale
WORDS = (
    "delega", "assistente", "agenda", "cliente", "fattura", "processo", "tempo", "priorità",
    "lavoro", "impresa", "strumento", "istruzioni", "settimana", "obiettivo", "scadenza",
    "riunione", "progetto", "risultato", "fiducia", "metodo", "promemoria", "archivio",
    "documento", "preventivo", "ordine", "fornitore", "telefono", "posta", "calendario",
    "organizzazione", "studio", "negozio", "ufficio", "energia", "crescita", "valore", "qualità",
    "servizio", "risposta", "domanda", "preparare", "scegliere", "scrivere", "controllare",
    "spiegare", "chiedere", "rispondere", "organizzare", "delegare", "imparare", "migliorare",
    "ridurre", "liberare", "gestire",
)
SPECIAL_TITLES = [
    "Le <em>tre</em> regole della delega &amp; altro",
    "<strong>Urgente</strong>: delegare la posta",
    "Il tag &lt;title&gt; spiegato a chi delega",
    "Perché <script> non basta & “altro”",
    "Tariffe 2024: 50 € l’ora (IVA «esclusa») e sconti < 10%",
    "C++ o C#? #1 consiglio: 100% delega; niente {filename}",
    "Domande: [quadre], *asterischi* e _trattini_ \\ barre / tutto",
    "",
    "   ",
    "<br />",
    "Καλημέρα από την Αθήνα, ξανά",
    "委派任务的十个步骤",
    "تفويض المهام",
    "🎉🎉🎉",
    ("Tutto quello che avresti sempre voluto sapere sulla delega a un’assistente virtuale e "
     "non hai mai osato chiedere: orari, tariffe, strumenti, riservatezza, contratti, fatture, "
     "ferie, imprevisti, clienti difficili, scadenze, priorità, riunioni, telefonate, "
     "promemoria, archivi, preventivi, fornitori e perfino il caffè della mattina"),
]
SPECIAL_SLUGS = ["tag", "categoria", "archivio", "feeds", "pagefind", "isso", "chi-sono",
                 "%e5%a7%94%e6%b4%be%e4%bb%bb%e5%8a%a1", "%f0%9f%8e%89-festa"]
CATEGORY_NAMES = [
    "Delega", "Organizzazione & strumenti", "Interviste", "Agenda", "Posta", "Clienti",
    "Fatture", "Strumenti digitali", "Produttività", "Casi di studio", "Lavoro da remoto",
    "Comunicazione", "Tariffe", "Contratti", "Privacy e dati", "Social", "Formazione",
    "Eventi", "Viaggi di lavoro", "Piccole imprese", "Liberi professionisti", "Negozi",
    "Studi medici", "Avvocati", "Architetti", "Φωτογραφία", "Новости", "Notizie", "Varie",
    "Senza categoria",
]
EXTRA_TAGS = ["C++", "C", "Café", "Cafe", "🎉", "uno; due", "a, b", "E-mail", "email",
              "Αθήνα", "Москва", "北京"]


@dataclass
class Made:
    """What :func:`big_export` wrote, for the tests to count against."""

    path: Path
    uploads: Path
    posts: dict[int, str] = field(default_factory=dict)  # id → status ("publish", "password"…)
    pages: dict[int, str] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)  # id → raw title
    links: dict[int, str] = field(default_factory=dict)  # id → old permalink
    comments: dict[int, tuple[int, int, str, str]] = field(default_factory=dict)
    # comment id → (item id, parent id, approved, type)
    attachments: dict[int, str] = field(default_factory=dict)  # id → upload-relative path
    missing: set[str] = field(default_factory=set)  # upload-relative originals not on disk
    variant_only: set[str] = field(default_factory=set)  # originals missing, variants there
    categories: dict[str, str] = field(default_factory=dict)  # nicename → name
    tags: dict[str, str] = field(default_factory=dict)


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _nicename(name: str) -> str:
    from unidecode import unidecode

    ascii_name = re.sub(r"[^a-z0-9]+", "-", unidecode(name).lower()).strip("-")
    return ascii_name or quote(name.lower().encode()).lower().replace("%", "")[:20] or "x"


def wp_slug(title: str) -> str:
    """The ``post_name`` WordPress gives a title: lower case, dashes, every character
    outside ASCII percent-encoded in lower case (``sanitize_title_with_dashes``)."""
    import html

    text = html.unescape(re.sub(r"<[^>]*>", "", title)).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    text = re.sub(r"[\s_-]+", "-", text).strip("-")
    slug = quote(text, safe="-").lower()[:200]
    return re.sub(r"%[0-9a-f]?$", "", slug).strip("-")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _wp(**values: object) -> str:
    """``<wp:key><![CDATA[value]]></wp:key>`` for each value, in order."""
    return "".join(f"<wp:{key}>{_cdata(str(value))}</wp:{key}>" for key, value in values.items())


def tiny_jpeg(color: tuple[int, int, int] = (200, 120, 40),
              size: tuple[int, int] = (6, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def big_export(folder: Path, *, posts: int = 500, pages: int = 60, comments: int = 5000,
               attachments: int = 2000, seed: int = 24) -> Made:
    """Write ``folder/export.xml`` and ``folder/uploads/``; return what they hold."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    made = Made(folder / "export.xml", folder / "uploads")
    image = tiny_jpeg()
    site = f"https://{HOST}"
    authors = [("giulia", "Giulia"), ("niccolo", "Niccolò  Bianchi"), ("admin", "Redazione")]
    for name in CATEGORY_NAMES:
        made.categories[_nicename(name) if name != "Senza categoria" else "senza-categoria"] = name
    tag_names = [f"{rng.choice(WORDS)} {i}" for i in range(180)] + EXTRA_TAGS
    for name in tag_names:
        made.tags.setdefault(_nicename(name), name)
    # Categories 20-24 are only ever a post's second category: they become tags.
    first_choice = [n for i, n in enumerate(made.categories) if not 20 <= i < 25]
    second_only = [n for i, n in enumerate(made.categories) if 20 <= i < 25]

    items: list[str] = []
    next_comment = 1
    post_ids = list(range(1000, 1000 + posts))
    page_ids = list(range(5000, 5000 + pages))
    attachment_ids = list(range(10000, 10000 + attachments))
    parent_of_attachment = {a: rng.choice(post_ids) if rng.random() < 0.9 else 0
                            for a in attachment_ids}
    by_post: dict[int, list[int]] = {}
    for a, p in parent_of_attachment.items():
        by_post.setdefault(p, []).append(a)

    # Attachments and the uploads tree.
    upload_of: dict[int, str] = {}
    for number, a in enumerate(attachment_ids):
        year, month = 2015 + number % 9, 1 + number % 12
        stem = f"foto-{number}" if number % 17 else f"caffè e appunti {number}"
        scaled = number % 23 == 0
        relative = f"{year}/{month:02d}/{stem}.jpg"
        upload_of[a] = relative
        made.attachments[a] = relative
        target = made.uploads / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        missing = number % 50 == 7
        variant_only = number % 33 == 5 and not missing
        if missing:
            made.missing.add(relative)
        elif variant_only:
            made.variant_only.add(relative)
        else:
            target.write_bytes(image)
        if not missing:
            for size in ("-300x200", "-1024x683"):
                target.with_name(f"{stem}{size}.jpg").write_bytes(image)
            if scaled:
                target.with_name(f"{stem}-scaled.jpg").write_bytes(image)
        url_path = quote(f"/wp-content/uploads/{year}/{month:02d}/{stem}"
                         + ("-scaled" if scaled else "") + ".jpg")
        alt = _wp(meta_key="_wp_attachment_image_alt", meta_value=f"Alt della foto {number}")
        items.append(_item(
            a, "attachment", "inherit", f"Foto {number}", f"{site}/?attachment_id={a}",
            _nicename(f"foto {number}"), parent_of_attachment[a], "2019-01-01 10:00:00",
            authors[0][0], "", extra=_wp(attachment_url=site + url_path)
            + f"<wp:postmeta>{alt}</wp:postmeta>"))

    def comment_block(item_id: int, count: int) -> str:
        nonlocal next_comment
        blocks, own = [], []
        for _ in range(count):
            cid = next_comment
            next_comment += 1
            roll = rng.random()
            kind, approved = "comment", "1"
            if roll < 0.08:
                approved = "0"
            elif roll < 0.20:
                approved = "spam"
            elif roll < 0.22:
                approved = "trash"
            elif roll < 0.25:
                kind = rng.choice(["pingback", "trackback"])
            parent = rng.choice(own) if own and rng.random() < 0.45 and kind == "comment" else 0
            own.append(cid)
            made.comments[cid] = (item_id, parent, approved, kind)
            content = _words(rng, rng.randint(5, 40))
            if rng.random() < 0.2:
                content = (f"<p>{content}</p>\n<p>Con un <a href=\"https://esempio.example/\">"
                           "link</a> &amp; <em>enfasi</em>.</p>")
            minute = f"{cid % 60:02d}"
            blocks.append("<wp:comment>" + _wp(
                comment_id=cid, comment_author=f"Lettore {cid % 300}",
                comment_author_email=f"lettore{cid % 300}@example.org", comment_author_url="",
                comment_author_IP=f"192.0.2.{cid % 250}",
                comment_date=f"2020-03-04 10:{minute}:00",
                comment_date_gmt=f"2020-03-04 09:{minute}:00", comment_content=content,
                comment_approved=approved, comment_type=kind, comment_parent=parent,
                comment_user_id=0) + "</wp:comment>")
        return "".join(blocks)

    # How many comments each commented item gets (most on posts, some on pages).
    commented = (rng.sample(post_ids, k=min(len(post_ids), 350))
                 + rng.sample(page_ids, k=min(10, pages)))
    shares = [0] * len(commented)
    for _ in range(comments):
        shares[rng.randrange(len(commented))] += 1
    comment_count = dict(zip(commented, shares, strict=True))

    for number, pid in enumerate(post_ids):
        status = "publish"
        if number % 25 == 3:
            status = rng.choice(["draft", "pending", "private", "future"])
        password = "clienti" if number % 50 == 17 else ""  # published, but behind a password
        special = number % 7 == 0 and number // 7 < len(SPECIAL_TITLES)
        title = (SPECIAL_TITLES[number // 7] if special
                 else _words(rng, rng.randint(3, 9)).capitalize())
        slug = wp_slug(title)
        if number % 41 == 0 and number // 41 < len(SPECIAL_SLUGS):
            slug = SPECIAL_SLUGS[number // 41]
        if number % 97 == 13:
            slug = "doppione"  # the same name on different days
        date = f"{2015 + number % 9}-{1 + number % 12:02d}-{1 + number % 28:02d} 10:00:00"
        link = f"{site}/{date[:4]}/{date[5:7]}/{date[8:10]}/{slug}/" if slug else f"{site}/?p={pid}"
        if number % 61 == 11:
            link = f"{site}//{date[:4]}/{date[5:7]}/{slug}/"  # a double slash, as some sites serve
        made.posts[pid] = "password" if password else status
        made.titles[pid] = title
        made.links[pid] = link
        cats = [rng.choice(first_choice)]
        if number % 3 == 0:
            cats.append(rng.choice(second_only))
        if number % 5 == 0:
            cats.append(rng.choice(first_choice))
        tags = rng.sample(tag_names, k=rng.randint(0, 4))
        if number < len(EXTRA_TAGS) * 2:
            tags.append(EXTRA_TAGS[number % len(EXTRA_TAGS)])
        terms = "".join(  # WordPress writes a category's name as HTML
            f'<category domain="category" nicename="{n}">'
            f'{_cdata(made.categories[n].replace("&", "&amp;"))}</category>'
            for n in dict.fromkeys(cats)) + "".join(
            f'<category domain="post_tag" nicename="{_nicename(t)}">{_cdata(t)}</category>'
            for t in dict.fromkeys(tags))
        own_images = by_post.get(pid, [])
        body = _post_body(rng, own_images, upload_of, site, post_ids, made.links, number)
        if made.posts[pid] != "publish":  # what must never reach the site
            body += f"\n\n<p>TESTO-SEGRETO-{made.posts[pid].upper()}</p>"
        meta = ""
        if own_images:
            meta = ("<wp:postmeta>" + _wp(meta_key="_thumbnail_id", meta_value=own_images[0])
                    + "</wp:postmeta>")
        author = authors[number % len(authors)][0]
        items.append(_item(pid, "post", status, title, link, slug, 0, date, author, body,
                           extra=terms + meta + comment_block(pid, comment_count.get(pid, 0)),
                           password=password,
                           sticky=number == 1))

    for number, pid in enumerate(page_ids):
        parent = 0 if number < 12 else page_ids[rng.randrange(0, number if number < 30 else 30)]
        status = "draft" if number % 19 == 5 else "publish"
        title = f"Pagina {_words(rng, 3)} {number}"
        slug = _nicename(title)
        made.pages[pid] = status
        made.titles[pid] = title
        made.links[pid] = f"{site}/{slug}/"
        body = "<!-- wp:paragraph -->\n<p>" + _words(rng, 80) + "</p>\n<!-- /wp:paragraph -->"
        items.append(_item(pid, "page", status, title, f"{site}/?page_id={pid}", slug, parent,
                           "2019-02-03 10:00:00", authors[0][0], body,
                           extra=comment_block(pid, comment_count.get(pid, 0))))
    # Items that are not content.
    items.append(_item(90001, "nav_menu_item", "publish", "Home", f"{site}/?p=90001", "home", 0,
                       "2019-01-01 10:00:00", "giulia", ""))
    items.append(_item(90002, "revision", "inherit", "Vecchia", f"{site}/?p=90002",
                       "1000-revision-v1", 1000, "2019-01-01 10:00:00", "giulia", "<p>vecchia</p>"))
    items.append(_item(90003, "wp_block", "publish", "Blocco riusabile", f"{site}/?p=90003",
                       "blocco", 0, "2019-01-01 10:00:00", "giulia", "<p>blocco</p>"))

    channel = "\n".join(
        f"<wp:author><wp:author_login>{_cdata(login)}</wp:author_login>"
        f"<wp:author_display_name>{_cdata(name)}</wp:author_display_name></wp:author>"
        for login, name in authors)
    made.path.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<rss version="2.0" xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:wfw="http://wellformedweb.org/CommentAPI/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:wp="https://wordpress.org/export/1.2/">\n<channel>\n'
        f"<title>Blog generato</title><link>{site}</link><language>it-IT</language>\n"
        f"<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{site}</wp:base_site_url>"
        f"<wp:base_blog_url>{site}</wp:base_blog_url>\n{channel}\n"
        + "\n".join(items) + "\n</channel>\n</rss>\n", encoding="utf-8")
    return made


def _post_body(rng: random.Random, images: list[int], upload_of: dict[int, str], site: str,
               post_ids: list[int], links: dict[int, str], number: int) -> str:
    parts = []
    for paragraph in range(rng.randint(3, 6)):
        parts.append(f"<!-- wp:paragraph -->\n<p>{_words(rng, rng.randint(30, 70))}</p>\n"
                     "<!-- /wp:paragraph -->")
        if paragraph == 0:
            parts.append("<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->")
    for a in images[1:4]:
        relative = upload_of[a]
        stem, ext = relative.rsplit(".", 1)
        small = quote(f"/wp-content/uploads/{stem}-300x200.{ext}")
        full = quote(f"/wp-content/uploads/{relative}")
        parts.append(
            f'<!-- wp:image {{"id":{a}}} -->\n<figure class="wp-block-image size-medium">'
            f'<a href="{site}{full}"><img src="{site}{small}" alt="Foto {a}" '
            f'srcset="{site}{small} 300w, {site}{full} 1200w" class="wp-image-{a}"/></a>'
            f"<figcaption>Didascalia {a}</figcaption></figure>\n<!-- /wp:image -->")
    earlier = [p for p in post_ids if p < post_ids[number]]
    if earlier:
        target = rng.choice(earlier)
        parts.append(f'<p>Vedi anche <a href="{links[target]}">un articolo precedente</a>.</p>')
    return "\n\n".join(parts)


def _item(pid: int, post_type: str, status: str, title: str, link: str, slug: str, parent: int,
          date: str, author: str, content: str, extra: str = "", sticky: bool = False,
          password: str = "") -> str:
    return (
        f"<item><title>{_cdata(title)}</title><link>{link.replace('&', '&amp;')}</link>"
        f"<dc:creator>{_cdata(author)}</dc:creator>"
        f"<content:encoded>{_cdata(content)}</content:encoded>"
        f"<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
        f"<wp:post_id>{pid}</wp:post_id><wp:post_date>{_cdata(date)}</wp:post_date>"
        f"<wp:post_date_gmt>{_cdata(date)}</wp:post_date_gmt>"
        f"<wp:post_modified>{_cdata(date)}</wp:post_modified>"
        f"<wp:post_name>{_cdata(slug)}</wp:post_name><wp:status>{_cdata(status)}</wp:status>"
        f"<wp:post_parent>{parent}</wp:post_parent><wp:post_type>{_cdata(post_type)}</wp:post_type>"
        f"<wp:post_password>{_cdata(password)}</wp:post_password>"
        f"<wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>{extra}</item>"
    )
