"""The Italian report that ends every import: counts first, then each thing to look at."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # reason → how many items
    comments: Counter = field(default_factory=Counter)
    comments_added: dict[str, int] = field(default_factory=dict)  # database → new comments
    kept: list[str] = field(default_factory=list)  # items already in content/
    protected: list[str] = field(default_factory=list)  # files not overwritten
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    images_copied: int = 0
    missing: dict[str, str] = field(default_factory=dict)
    redirects: int = 0
    notes: dict[str, list[str]] = field(default_factory=dict)  # item → problems

    def note(self, item: str, problem: str) -> None:
        problems = self.notes.setdefault(item, [])
        if problem not in problems:
            problems.append(problem)

    def text(self) -> str:
        c = self.counts
        lines = [
            "Import da WordPress completato.",
            f"  Articoli pubblicati: {c['article']}   Pagine pubblicate: {c['page']}   "
            f"Bozze (mai pubbliche): {c['draft']}",
        ]
        if self.skipped:
            lines.append("  Non sono contenuti: " + ", ".join(
                f"{reason} {n}" for reason, n in sorted(self.skipped.items())))
        k = self.comments
        dropped = k["spam"] + k["trash"] + k["pingback"] + k["trackback"]
        lines.append(
            f"  Commenti: {k['approved']} approvati, {k['pending']} in attesa di moderazione, "
            f"{dropped} scartati (spam {k['spam']}, cestino {k['trash']}, pingback "
            f"{k['pingback']}, trackback {k['trackback']})"
        )
        for database, added in self.comments_added.items():
            lines.append(f"    nel database di Isso {database}: {plural(added, 'nuovo', 'nuovi')}")
        if k["pending"]:
            lines.append("    quelli in attesa li approvi da /isso/admin/ (`invoke comments`); "
                         "hanno la data dell’import, perché Isso scarta dopo 30 giorni "
                         "quelli non moderati")
        lines.append(f"  Immagini e file copiati: {self.images_copied}   "
                     f"mancanti: {len(self.missing)}")
        for name, why in sorted(self.missing.items()):
            lines.append(f"    – {name}: {why}")
        if any("--uploads" in why for why in self.missing.values()):
            lines.append("    copia wp-content/uploads dal vecchio sito e rilancia con "
                         "--uploads CARTELLA: le immagini trovate prendono il loro posto")
        lines.append(f"  Reindirizzamenti dai vecchi indirizzi: {self.redirects} "
                     "(/?p=123 funziona solo con nginx e Netlify)")
        lines.append(f"  File scritti: {len(self.written)}   invariati: {self.unchanged}")
        for line in self.kept:
            lines.append(f"  Già presente, tenuto com’è: {line}")
        for line in self.protected:
            lines.append(f"  Non sovrascritto: {line}")
        if self.notes:
            lines.append("  Da controllare (non convertito del tutto):")
            for item, problems in self.notes.items():
                lines.append(f"    – {item}: " + "; ".join(problems))
        if not self.written:
            lines.append("Nessuna modifica: l’import era già aggiornato.")
        return "\n".join(lines)
