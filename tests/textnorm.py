"""Text normalisation shared by content tests: compare words, not typesetting."""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "«": '"', "»": '"'})


def normalise(text: str) -> str:
    """Fold typographic quotes, white space, case and the euphonic «ad» before a vowel.

    The export lost spacing (``un’ assistente``) and the edited text restores the
    euphonic d (``a assumere`` → ``ad assumere``); neither changes the author's words.
    """
    text = unicodedata.normalize("NFC", text).translate(APOSTROPHES)
    text = text.replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"' ", "'", text)
    text = re.sub(r" (?=[.,;:!?…])", "", text)  # get_text(" ") spaces a link from its full stop
    text = re.sub(r"\bad (?=[aeiouàèéìòù])", "a ", text, flags=re.I)
    return text.casefold().strip()
