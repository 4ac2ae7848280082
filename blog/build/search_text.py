"""The pages as Pagefind reads them, and Pagefind's text as the reader sees it.

Pagefind 1.5 splits ``un'assistente`` into «un» and «assistente» but keeps
``un’assistente`` (the typographic apostrophe the site writes) as one word: it reads a
copy of each page whose elisions use ``'`` (:func:`mirror`), and :func:`from_pagefind`
turns them back into ``’`` in what it returns.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

TYPOGRAPHIC_APOSTROPHE = "’".encode()
# An apostrophe between two letters: an elision (l’articolo, un’assistente, dell’anno).
ELISION = re.compile(r"(?<=[^\W\d_])’(?=[^\W\d_])")
INDEXED_ELISION = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


def for_pagefind(data: bytes) -> bytes | None:
    """The page with its elisions written ``un'assistente``, or None when it has none."""
    if TYPOGRAPHIC_APOSTROPHE not in data:
        return None
    text, count = ELISION.subn("'", data.decode("utf-8", errors="surrogateescape"))
    return text.encode("utf-8", errors="surrogateescape") if count else None


def from_pagefind(text: str) -> str:
    """Pagefind's text (a title, an excerpt) with the page's own apostrophes back."""
    return INDEXED_ELISION.sub("’", text)


def mirror(files: list[tuple[str, Path]], dest: Path) -> int:
    """Put the indexable HTML files in ``dest`` as Pagefind should read them: a hard link
    (or a copy) of each, a rewritten copy where it has elisions; return how many."""
    for rel, html in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        rewritten = for_pagefind(html.read_bytes())
        if rewritten is not None:
            target.write_bytes(rewritten)
            continue
        try:
            os.link(html, target)
        except OSError:
            shutil.copy2(html, target)
    return len(files)
