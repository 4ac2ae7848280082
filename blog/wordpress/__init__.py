"""Moving in from WordPress: ``invoke import-wordpress EXPORT.xml [--uploads DIR]``.

One module per job:

- :mod:`.wxr` reads the export (WXR 1.0-1.2, by the namespaces it binds) with defusedxml;
- :mod:`.classify` decides what each item becomes (article, page, draft, nothing);
- :mod:`.plans` holds each item's plan (title, date, address) and what ``content/`` has;
- :mod:`.slugs` makes short ASCII slugs that fit any file system;
- :mod:`.addresses` gives each item its new address and maps the old ones to it;
- :mod:`.terms` turns categories, tags and authors into Pelican's;
- :mod:`.body` turns WordPress HTML (blocks, shortcodes, oEmbeds) into Markdown, with
  :mod:`.links` resolving the links and files inside it;
- :mod:`.posts` writes each article and page: front matter (:mod:`.frontmatter`), then
  the body;
- :mod:`.media` copies the images the posts use from a copy of ``wp-content/uploads``;
- :mod:`.isso_import` writes the comments into Isso's database, with Isso's own code;
- :mod:`.site` predicts the pages the build will make, and :mod:`.preflight` checks the
  planned files, redirects and comment threads against the build's own rules before
  anything is written;
- :mod:`.redirects` writes that mapping for every host (data, nginx, ``_redirects``);
- :mod:`.manifest` remembers what the last import wrote, so re-running is safe;
- :mod:`.importer` ties them together and :mod:`.summary` tells the author what happened.
"""

from blog.wordpress.errors import ImportFailed
from blog.wordpress.importer import run_import

__all__ = ["ImportFailed", "run_import"]
