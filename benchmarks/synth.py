"""Synthetic content for the build benchmarks: N Italian-looking articles.

``python benchmarks/synth.py DEST --posts 1000`` copies the project (sources and kit
cache) to ``DEST`` and adds generated articles to the real ones until there are N,
of about 800 words each (the real ones average about 1,100): headings, lists, bold,
a quote, three tags from a pool of 60, five categories, one post in fifteen part of a
series (ten parts each), one ``{filename}`` link to an earlier post.
Deterministic: the same N gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

WORDS = " ".join((
    "delega assistente virtuale agenda cliente fattura attività processo tempo priorità "
    "lavoro impresa professionista strumento comunicazione istruzioni settimana obiettivo "
    "scadenza riunione progetto risultato fiducia controllo errore abitudine metodo "
    "promemoria archivio documento preventivo ordine fornitore telefono posta messaggio "
    "calendario organizzazione studio negozio laboratorio ufficio casa famiglia energia "
    "concentrazione crescita margine costo valore qualità servizio risposta domanda "
    "rapidamente semplicemente finalmente davvero spesso sempre ormai ancora insieme "
    "preparare scegliere scrivere controllare spiegare chiedere rispondere organizzare "
    "delegare imparare migliorare ridurre liberare gestire condividere verificare",
)).split()
CATEGORIES = ("Assistente Virtuale", "Delega", "Organizzazione", "Interviste", "Strumenti")
TAGS = [f"tema-{n:02d}" for n in range(60)]
SERIES_EVERY = 15
SERIES_PARTS = 10


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random) -> str:
    text = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
    if rng.random() < 0.3:
        word = rng.choice(WORDS)
        text = text.replace(f" {word} ", f" **{word}** ", 1)
    return text


def article(number: int, total: int, start: dt.datetime) -> tuple[str, str]:
    """``(file name, Markdown)`` of synthetic article ``number``."""
    rng = random.Random(number)
    slug = f"articolo-sintetico-{number:05d}"
    date = start + dt.timedelta(hours=13 * number)
    tags = ", ".join(sorted(rng.sample(TAGS, 3)))
    lines = [
        f"Title: Articolo sintetico {number}: {rng.choice(WORDS)} e {rng.choice(WORDS)}",
        f"Date: {date:%Y-%m-%d %H:%M}",
        f"Category: {CATEGORIES[number % len(CATEGORIES)]}",
        f"Tags: {tags}",
        f"Slug: {slug}",
        f"Summary: {_sentence(rng)}",
    ]
    if number % SERIES_EVERY == 0:
        part = number // SERIES_EVERY - 1
        lines += [f"Series: Serie sintetica {part // SERIES_PARTS + 1}",
                  f"Series_index: {part % SERIES_PARTS + 1}"]
    body = [""]
    for section in range(4):
        body.append(f"## Sezione {section + 1}: {rng.choice(WORDS)}")
        body.append("")
        body += [_paragraph(rng) + "\n" for _ in range(3)]
        if section == 1:
            body += [f"- {_sentence(rng)}" for _ in range(4)] + [""]
        if section == 2:
            body += [f"> {_sentence(rng)}", ""]
    if number > 1:
        earlier = rng.randint(1, number - 1)
        body.append(f"Leggi anche [l’articolo {earlier}]"
                    f"({{filename}}/articles/articolo-sintetico-{earlier:05d}.md).")
    return f"{slug}.md", "\n".join(lines + body) + "\n"


def make_site(dest: Path, posts: int) -> Path:
    """A project copy in ``dest`` with ``posts`` articles, real ones included."""
    from tests.sitecopy import copy_project

    if dest.exists():
        shutil.rmtree(dest)
    copy_project(dest)
    articles = dest / "content" / "articles"
    real = len(list(articles.glob("*.md")))
    start = dt.datetime(2022, 1, 3, 9, 0)
    for number in range(1, max(0, posts - real) + 1):
        name, text = article(number, posts, start)
        (articles / name).write_text(text, encoding="utf-8")
    return dest


BARE_SETTINGS = """\
# Bare Pelican 4.12 on the same content: default theme, no plugins, content cache on.
PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
TIMEZONE = "Europe/Rome"
DEFAULT_LANG = "it"
SITENAME = "Pelican nudo"
PLUGINS = []
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = ".cache/pelican"
FEED_ALL_ATOM = "feeds/all.atom.xml"
"""


def make_bare(dest: Path, project: Path) -> Path:
    """A bare Pelican project in ``dest`` with ``project``'s content (``Template:`` lines
    removed: the default theme has none of ours) and :data:`BARE_SETTINGS`."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(project / "content", dest / "content")
    for page in (dest / "content").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if "\nTemplate:" in text or text.startswith("Template:"):
            kept = [line for line in text.split("\n") if not line.startswith("Template:")]
            page.write_text("\n".join(kept), encoding="utf-8")
    (dest / "pelicanconf.py").write_text(BARE_SETTINGS, encoding="utf-8")
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--posts", type=int, default=100)
    args = parser.parse_args()
    make_site(args.dest, args.posts)
    print(f"{args.posts} articoli sintetici in {args.dest}/content/articles/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
