"""What the last import wrote (``content/.wordpress-import.json``), to re-run safely.

For every file the importer wrote it keeps the SHA-256 of the bytes it wrote. On the
next run a file is rewritten only when it still has those bytes (the author has not
touched it); a file the author edited, or one that was there before any import, is
left alone and named in the summary. The manifest holds no dates, so an unchanged
import leaves it byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".wordpress-import.json"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Manifest:
    path: Path
    files: dict[str, str] = field(default_factory=dict)  # project-relative path → sha256
    items: dict[str, str] = field(default_factory=dict)  # WordPress id → project-relative path

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.is_file():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        return cls(path, dict(data.get("files", {})), dict(data.get("items", {})))

    def state(self, root: Path, relative: str, new: bytes) -> str:
        """``new`` (absent), ``same`` (already these bytes), ``ours`` (written by the
        last import, untouched since), ``edited`` (changed by the author) or ``foreign``
        (there before any import)."""
        target = root / relative
        if not target.exists():
            return "new"
        current = digest(target.read_bytes())
        if current == digest(new):
            return "same"
        recorded = self.files.get(relative)
        if recorded is None:
            return "foreign"
        return "ours" if recorded == current else "edited"

    def text(self) -> str:
        return json.dumps({
            "_": "Scritto da `invoke import-wordpress`: file importati e loro impronta SHA-256. "
                 "Non modificarlo a mano.",
            "files": dict(sorted(self.files.items())),
            "items": dict(sorted(self.items.items(), key=lambda kv: int(kv[0]))),
        }, ensure_ascii=False, indent=1) + "\n"
