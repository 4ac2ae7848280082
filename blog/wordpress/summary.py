"""The Italian report that ends every import: counts, what the import changed and why,
then each thing to look at. Long lists (files missing from ``--uploads``, changes of the
same kind) show their first lines and how many more there are; the whole list of missing
files is also written beside the manifest (``content/.wordpress-mancanti.txt``)."""

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
    changes: dict[str, list[str]] = field(default_factory=dict)  # why → what changed
    missing_file: str = ""  # where the whole list of missing files is

    def note(self, item: str, problem: str) -> None:
        problems = self.notes.setdefault(item, [])
        if problem not in problems:
            problems.append(problem)

    def change(self, what: str, why: str) -> None:
        """Something the import changed from WordPress's own, and why (the build's rules)."""
        changed = self.changes.setdefault(why, [])
        if what not in changed:
            changed.append(what)

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
        dropped = k["spam"] + k["trash"] + k["pingback"] + k["trackback"] + k["other"]
        other = f", altri tipi {k['other']}" if k["other"] else ""
        lines.append(
            f"  Commenti: {k['approved']} approvati, {k['pending']} in attesa di moderazione, "
            f"{dropped} scartati (spam {k['spam']}, cestino {k['trash']}, pingback "
            f"{k['pingback']}, trackback {k['trackback']}{other})"
        )
        if k["on_drafts"]:
            lines.append(f"    {plural(k['on_drafts'], 'approvato è', 'approvati sono')} su "
                         "bozze: li vedi quando le pubblichi")
        if k["lost"]:
            lines.append(f"    {plural(k['lost'], 'approvato', 'approvati')} su allegati "
                         "senza un articolo pubblico: non importati")
        for database, added in self.comments_added.items():
            lines.append(f"    nel database di Isso {database}: {plural(added, 'nuovo', 'nuovi')}")
        if k["pending"]:
            lines.append("    quelli in attesa li approvi da /isso/admin/ (`invoke comments`); "
                         "hanno la data dell’import, perché Isso scarta dopo 30 giorni "
                         "quelli non moderati")
        lines.append(f"  Immagini e file copiati: {self.images_copied}   "
                     f"mancanti: {len(self.missing)}")
        missing = [f"– {name}: {why}" for name, why in sorted(self.missing.items())]
        lines += _shown(missing, "    ", f"l’elenco completo è in {self.missing_file}"
                        if self.missing_file else "")
        if any(why.startswith("da copiare") for why in self.missing.values()):
            lines.append("    copia wp-content/uploads dal vecchio sito e rilancia con "
                         "--uploads CARTELLA: le immagini trovate prendono il loro posto")
        lines.append(f"  Reindirizzamenti dai vecchi indirizzi: {self.redirects} "
                     "(/?p=123 funziona solo con nginx e Netlify)")
        lines.append(f"  File scritti: {len(self.written)}   invariati: {self.unchanged}")
        if self.changes:
            lines.append("  Cambiato rispetto a WordPress, perché il sito nuovo lo richiede:")
            for why, changed in self.changes.items():
                lines.append(f"    – {why}:")
                lines += _shown(changed, "        ")
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
        else:
            lines.append("Prossimo passo: `invoke build` (i file e i reindirizzamenti rispettano "
                         "già le sue regole), poi `invoke serve` per vedere il sito.")
        return "\n".join(lines)


SHOWN = 12


def _shown(lines: list[str], indent: str, where: str = "") -> list[str]:
    """The first lines of a long list, and how many more there are."""
    out = [f"{indent}{line}" for line in lines[:SHOWN]]
    if len(lines) > SHOWN:
        more = f"… e altri {len(lines) - SHOWN}"
        out.append(f"{indent}{more}" + (f" ({where})" if where else ""))
    return out
