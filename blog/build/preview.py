"""Instant preview: the page being edited, rendered from the site kept in memory.

After a build, the engine keeps that build's generators (the whole site as Pelican
holds it: posts, pages, categories, templates). When the author saves the source of a
page open in her browser, :meth:`LiveSite.render` reads just that file again, gives the
new post what the last build attached to the old one (related posts, series,
neighbours: they depend on other posts and are brought up to date by the full rebuild
that follows) and renders it with the same templates and context, in a few tens of
milliseconds at any site size. The page is written next to its place in the live
version and renamed over it: a browser never reads half a page.

Anything unusual (a reader warning, a new or renamed page, a template error) gives
``None``: the full rebuild, which reports mistakes properly, takes over.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.seen += 1


@dataclass
class Rendered:
    """One page rendered ahead of the full rebuild."""

    url: str  # "/slug/", as the browser asks for it
    save_as: str  # "slug/index.html", relative to the version
    html: bytes


class LiveSite:
    """The site of the last successful build, as Pelican's generators hold it."""

    def __init__(self, generators: list[Any], version: Path) -> None:
        from pelican.generators import ArticlesGenerator, PagesGenerator

        self.version = version
        self._owners: dict[str, tuple[Any, Any]] = {}  # real source path → (generator, content)
        for generator in generators:
            if isinstance(generator, ArticlesGenerator):
                contents = [*generator.articles, *generator.hidden_articles]
            elif isinstance(generator, PagesGenerator):
                contents = [*generator.pages, *generator.hidden_pages]
            else:
                continue
            for content in contents:
                source = getattr(content, "source_path", None)
                if source and content.save_as:
                    self._owners[os.path.realpath(source)] = (generator, content)

    def url_of(self, source: str | Path) -> str | None:
        """The address of the page built from ``source`` ("/slug/"), if there is one."""
        owner = self._owners.get(os.path.realpath(source))
        return "/" + owner[1].url if owner else None

    def render(self, source: str | Path) -> Rendered | None:
        """Read ``source`` again and render its page; None when the rebuild must decide."""
        from pelican.log import console

        owner = self._owners.get(os.path.realpath(source))
        if owner is None:
            return None
        generator, old = owner
        warnings = _Warnings()
        root, quiet = logging.getLogger(), console.quiet
        root.addHandler(warnings)
        console.quiet = True
        try:
            new = self._read(generator, old)
            if (new is None or warnings.seen or new.save_as != old.save_as
                    or new.url != old.url or new.status != old.status):
                return None
            with tempfile.TemporaryDirectory(prefix="anteprima-") as folder:
                self._write(generator, new, Path(folder))
                html = (Path(folder) / new.save_as).read_bytes()
        except Exception:  # the full rebuild reports it, with file and line
            return None
        finally:
            root.removeHandler(warnings)
            console.quiet = quiet
        if warnings.seen:
            return None
        return Rendered(url="/" + new.url, save_as=new.save_as, html=html)

    @staticmethod
    def _read(generator: Any, old: Any) -> Any:
        from pelican import signals
        from pelican.contents import Article

        kind = "article" if isinstance(old, Article) else "page"
        new = generator.readers.read_file(
            base_path=generator.path, path=old.relative_source_path, content_class=type(old),
            context=generator.context,
            preread_signal=getattr(signals, f"{kind}_generator_preread"),
            preread_sender=generator,
            context_signal=getattr(signals, f"{kind}_generator_context"),
            context_sender=generator,
        )
        # What the last build attached from the rest of the site (related posts,
        # series, neighbours, card): kept until the full rebuild recomputes it.
        for name, value in vars(old).items():
            if name not in vars(new):
                setattr(new, name, value)
        if hasattr(new, "refresh_metadata_intersite_links"):
            new.refresh_metadata_intersite_links()
        return new

    @staticmethod
    def _write(generator: Any, content: Any, folder: Path) -> None:
        from pelican.contents import Article
        from pelican.writers import Writer

        writer = Writer(str(folder), settings=generator.settings)
        extra = ({"article": content, "category": getattr(content, "category", None),
                  "blog": True} if isinstance(content, Article) else {"page": content})
        writer.write_file(content.save_as, generator.get_template(content.template),
                          generator.context, relative_urls=generator.settings["RELATIVE_URLS"],
                          override_output=hasattr(content, "override_save_as"),
                          url=content.url, **extra)


def swap_in(rendered: Rendered, version: Path) -> None:
    """Put a rendered page into ``version`` in one rename."""
    target = version / rendered.save_as
    temporary = target.with_name(f".{target.name}.anteprima-{os.getpid()}")
    temporary.write_bytes(rendered.html)
    os.replace(temporary, target)
