"""The production address and contact e-mail the kit prints on its last page.

Both come from ``publishconf.py`` (``SITEURL``, ``CONTACT_EMAIL``) whichever settings file
builds the site, so a development build and a production build print the same address
and make the same PDF; they are part of the kit's cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import KitBuildError

PRODUCTION_SETTINGS = "publishconf.py"
# The project this plugin ships with (``plugins/kit_pdf/`` → its root): the kit and the
# production settings of ``invoke kit`` and of a test site that has none of its own.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SiteInfo:
    """Where the kit leads back to."""

    url: str
    email: str

    @property
    def host(self) -> str:
        """``https://www.example.it/`` → ``www.example.it``."""
        return urlsplit(self.url).netloc or self.url

    def cache_key(self) -> str:
        """What goes into the kit's cache key."""
        return f"site {self.url}\0email {self.email}\0"

    def as_dict(self) -> dict[str, str]:
        """For the templates: ``site.url``, ``site.host``, ``site.email``."""
        return {"url": self.url, "host": self.host, "email": self.email}

    @classmethod
    def from_project(
        cls, root: Path = PROJECT_ROOT, fallback: dict[str, Any] | None = None
    ) -> SiteInfo:
        """Read ``root/publishconf.py``.

        A site without one (a test site) uses ``fallback`` (its current settings) when its
        ``SITEURL`` is a full address, else this project's own ``publishconf.py``.
        """
        settings: dict[str, Any] = dict(fallback or {})
        path = root / PRODUCTION_SETTINGS
        if not path.is_file() and not str(settings.get("SITEURL", "")).startswith("http"):
            path = PROJECT_ROOT / PRODUCTION_SETTINGS
        if path.is_file():
            from pelican.settings import get_settings_from_file

            try:
                settings = get_settings_from_file(str(path))
            except Exception as exc:  # any error of the author's settings file
                raise KitBuildError(
                    f"non riesco a leggere l’indirizzo del sito da {path.name}: {exc}", path
                ) from exc
        url = str(settings.get("SITEURL") or "").rstrip("/")
        email = str(settings.get("CONTACT_EMAIL") or (fallback or {}).get("CONTACT_EMAIL") or "")
        if not url.startswith(("https://", "http://")):
            raise KitBuildError(
                f"SITEURL «{url}» non è un indirizzo completo come https://www.esempio.it: "
                "il kit lo stampa nell’ultima pagina",
                path,
            )
        return cls(url=url + "/", email=email)

    @classmethod
    def default(cls) -> SiteInfo:
        """The project's own production settings."""
        return cls.from_project(PROJECT_ROOT)
