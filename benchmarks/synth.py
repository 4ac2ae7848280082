"""Synthetic content for the build benchmarks: N Italian-looking articles.

``python benchmarks/synth.py DEST --posts 1000`` copies the project (sources and kit
cache) to ``DEST`` and adds generated articles to the real ones until there are N,
of about 800 words each (the real ones average about 1,100): headings, lists, bold,
a quote, tags from a pool of 40, four categories, one series in ten posts, one
``{filename}`` link to an earlier post.
Deterministic: the same N gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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
CATEGORIES = ("Assistente Virtuale", "Delega", "Organizzazione", "Interviste")
TAGS = [f"tema-{n:02d}" for n in range(40)]


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
    if number % 10 == 0:
        lines += ["Series: Serie sintetica", f"Series_index: {number // 10 + 1}"]
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
