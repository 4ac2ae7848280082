"""Without Pango the kit build says which Debian packages to install, not a bare OSError."""

from __future__ import annotations

import builtins
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from kit_pdf.errors import KitBuildError
from kit_pdf.pdf import SYSTEM_PACKAGES, _import_weasyprint


def test_missing_pango_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def without_pango(name: str, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0': no such file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pango)
    with pytest.raises(KitBuildError) as error:
        _import_weasyprint()
    message = str(error.value)
    assert "libpango-1.0-0" in message
    assert f"apt-get install -y {SYSTEM_PACKAGES}" in message
