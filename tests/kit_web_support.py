"""Helpers of the web edition's tests (no tests here): its address, a phone, a reader's
taps and typing, the site served with the production policy, the PDF's fields."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from pypdf import PdfReader

EDITION = "kit-sulla-delega/compila/"
TYPED = "Perché è già così… ’ « »"
# What the page may fetch once loaded: the filling code and the PDF, on tap.
ON_TAP = ("/theme/js/kit-fill.", "/kit/pdf.min.", "/kit/pdf.worker.min.",
          "/kit/kit-sulla-delega.pdf")


@contextlib.contextmanager
def served_with_policy(site: Path) -> Iterator[str]:
    """The built site served with the production headers (its Content-Security-Policy)."""
    from blog.checks.browser import local_headers
    from tests.browser_support import serve_directory

    with serve_directory(site, local_headers()) as url:
        yield url


def phone(browser, **options):
    """A 375×667 touch screen (DPR 2) that keeps downloads."""
    return browser.new_context(locale="it-IT", viewport={"width": 375, "height": 667},
                               has_touch=True, is_mobile=True, device_scale_factor=2,
                               accept_downloads=True, **options)


def fill(page, answers: dict[str, str | bool]) -> None:
    """Tap and type, as a reader on a phone does: True ticks a box, a radio button's
    value picks it, any other text is typed."""
    for name, value in answers.items():
        if value is True:
            page.tap(f'[name="{name}"]')
        elif page.locator(f'input[type=radio][name="{name}"]').count():
            page.tap(f'[name="{name}"][value="{value}"]')
        else:
            page.tap(f'[name="{name}"]')
            # What a phone's keyboard sends: text inserted, Enter between lines.
            for number, line in enumerate(value.split("\n")):
                if number:
                    page.keyboard.press("Enter")
                page.keyboard.insert_text(line)


def wait_until_kept(page, name: str) -> None:
    """Wait until this device holds an answer for the field ``name`` (the page saves once
    its scripts have come: a reader leaving sooner leaves nothing behind to check)."""
    page.wait_for_function(
        "name => Object.keys(localStorage).some(key => (localStorage.getItem(key) || '')"
        ".includes(JSON.stringify(name)))", arg=name)


def pdf_fields(reader: PdfReader) -> dict[str, tuple[str, tuple[str, ...]]]:
    """name → (kind, radio export values) as the PDF has them."""
    found = {}
    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        name = str(field["/T"])
        if field["/FT"] == "/Tx":
            found[name] = ("area" if int(field.get("/Ff", 0)) & 4096 else "text", ())
        elif "/Kids" in field:
            states = [next(s for s in k.get_object()["/AP"]["/N"] if s != "/Off")
                      for k in field["/Kids"]]
            found[name] = ("radio", tuple(s.lstrip("/") for s in states))
        else:
            found[name] = ("check", ())
    return found
