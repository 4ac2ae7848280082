"""Write the workbook PDF with WeasyPrint: tagged (PDF/UA-1), fillable, fonts checked."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .errors import KitBuildError
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


def _raise_on_problems(messages: list[str], css_path: Path) -> None:
    fatal = [m for m in messages if not any(word in m for word in BENIGN_WARNINGS)]
    if fatal:
        raise KitBuildError(f"WeasyPrint: {'; '.join(fatal)}", css_path)


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


def write_pdf(html: str, source: Path, faces: list[FontFace]) -> RenderedPdf:
    """Render ``html`` (relative URLs resolve in ``source``) to PDF bytes in memory."""
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
        data = document.write_pdf(**PDF_OPTIONS)
        _raise_on_problems(problems.messages, css_path)
    except KitBuildError:
        raise
    except Exception as exc:
        raise KitBuildError(f"WeasyPrint failed: {exc}", css_path) from exc
    finally:
        logger.removeHandler(problems)

    fonts = check_embedded_fonts(document.fonts, faces, css_path)
    fields = sum(len(inputs) for page in document.pages for inputs in page.forms.values())
    return RenderedPdf(data=data, pages=len(document.pages), fields=fields, fonts=fonts)
