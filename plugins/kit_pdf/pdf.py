"""Write the workbook PDF with WeasyPrint: tagged (PDF/UA-1), fillable, fonts checked."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import KitBuildError
from .finish import FinishReport, KitFinisher
from .fit import text_field_fits
from .fonts import STYLESHEET, FontFace, check_embedded_fonts

PDF_OPTIONS = {
    "pdf_variant": "pdf/ua-1",
    "pdf_forms": True,
    # A file identifier derived from the content: same sources, same bytes.
    "pdf_identifier": True,
}


@dataclass(frozen=True)
class RenderedPdf:
    """The PDF bytes and what was counted while writing them."""

    data: bytes
    pages: int
    fields: int
    fonts: list[str]
    finish: FinishReport
    section_pages: dict[str, int]
    fits: dict[str, tuple[int, int]]  # text field → (lines, characters a line), :mod:`.fit`


class _Problems(logging.Handler):
    """Collect WeasyPrint's warnings and errors (a missing resource is only logged)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# WeasyPrint only logs what it drops (a CSS declaration or selector, a stylesheet, an
# image, a duplicate anchor, a target-counter target) and goes on with a degraded PDF:
# every warning fails the kit build, except these, which only concern how fonts are
# subset on a machine without HarfBuzz-Subset (the PDF is still right, just larger).
BENIGN_WARNINGS = ("HarfBuzz", "Unable to subset")


_AT_LINE = re.compile(r" at (\d+):\d+")


def _raise_on_problems(messages: list[str], css_path: Path) -> None:
    fatal = [m for m in messages if not any(word in m for word in BENIGN_WARNINGS)]
    if fatal:
        found = _AT_LINE.search(fatal[0])
        line = int(found.group(1)) if found else None
        raise KitBuildError(f"WeasyPrint ha scartato qualcosa: {'; '.join(fatal)}", css_path, line)


SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0"


def _import_weasyprint():
    """Import WeasyPrint late (it costs ~0.8 s and the cache often avoids it).

    Without Pango the import fails with a bare ``OSError: cannot load library``;
    say instead which Debian packages to install.
    """
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except OSError as exc:
        raise KitBuildError(
            f"WeasyPrint non trova le librerie di sistema ({exc}). "
            f"Installa: sudo apt-get install -y {SYSTEM_PACKAGES} (oppure esegui `make build`)"
        ) from exc
    return weasyprint, FontConfiguration


def write_pdf(
    html: str, source: Path, faces: list[FontFace], descriptions: dict[str, str] | None = None
) -> RenderedPdf:
    """Render ``html`` (relative URLs resolve in ``source``) to PDF bytes in memory.

    ``descriptions`` maps link targets to what a screen reader says for them (see
    :mod:`.finish`, which also completes the form fields).
    """
    weasyprint, FontConfiguration = _import_weasyprint()

    css_path = source / STYLESHEET
    problems = _Problems()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(problems)
    try:
        font_config = FontConfiguration()
        document = weasyprint.HTML(string=html, base_url=str(source.resolve()) + "/").render(
            font_config=font_config, **PDF_OPTIONS
        )
        _raise_on_problems(problems.messages, css_path)
        finisher = KitFinisher(descriptions or {})
        fits: dict[str, tuple[int, int]] = {}

        def finish(document: object, pdf: object) -> None:
            finisher(document, pdf)
            fits.update(text_field_fits(pdf))

        data = document.write_pdf(finisher=finish, **PDF_OPTIONS)
        _raise_on_problems(problems.messages, css_path)
    except KitBuildError:
        raise
    except Exception as exc:
        raise KitBuildError(f"WeasyPrint si è fermato: {exc}", css_path) from exc
    finally:
        logger.removeHandler(problems)

    fonts = check_embedded_fonts(document.fonts, faces, css_path)
    report = finisher.report
    if report.problems:
        raise KitBuildError(
            "ogni link del kit ha bisogno di una descrizione: " + "; ".join(report.problems),
            source / "kit.yaml",
        )
    fields = report.checkboxes + report.radio_groups + report.text_fields
    section_pages = {
        anchor: number
        for number, page in reversed(list(enumerate(document.pages, start=1)))
        for anchor in page.anchors
    }
    return RenderedPdf(
        data=data,
        pages=len(document.pages),
        fields=fields,
        fonts=fonts,
        finish=report,
        section_pages=section_pages,
        fits=fits,
    )
