"""Production settings: the real domain, absolute URLs, feeds for subscribers.

Used by ``invoke preview`` and ``invoke publish``, and safe on its own:
``pelican -s publishconf.py`` builds a production site (own caches, no draft, dates
from the last git commit). Everything else comes from ``pelicanconf.py``.
"""

import os
import sys

# The quickstart's line, anchored to this file's folder so that any working directory works.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: F403

# The author sets the real domain here (or in the environment) before the first publish.
SITEURL = os.environ.get("DELEGA_SITEURL", "https://www.giulia-assistente.example")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
# Static files nothing links (a forgotten invoice in content/extra/…) are not published;
# list in STATIC_KEEP (glob patterns, e.g. "extra/google*.html") those fetched by name only.
STATIC_PRUNE_UNREFERENCED = True
DRAFTS_PREVIEW: dict[str, str] = {}  # never: production has no draft preview
# A post dated in the future waits for its date (TIMEZONE); deploy/ rebuilds daily.
SCHEDULED_POSTS = "hide"

# Own caches: Pelican pickles settings into its content cache, so sharing the
# development one could leak development URLs into production pages.
CACHE_PATH = ".cache/pelican-publish"
KIT_CACHE = ".cache/kit-publish"
# Dates: SOURCE_DATE_EPOCH, else the last git commit (plugins/reproducible).
REPRODUCIBLE_DATES = "git"
# One search index, not parts: a reader's first search costs what plain Pagefind's does
# (the parts only speed up development builds; blog/build/search.py).
SEARCH_INDEX_PARTS = False

# Where `invoke publish` sends the site, after building and checking it. Set it here
# or in the environment (the environment wins):
#   DELEGA_DEPLOY=rsync     DELEGA_DEPLOY_DEST=utente@server.example:/srv/www/blog
#   DELEGA_DEPLOY=rsync     DELEGA_DEPLOY_DEST=/percorso/di/una/cartella
#   DELEGA_DEPLOY=gh-pages  DELEGA_DEPLOY_DEST=origin   (a git remote, URL or path)
# rsync keeps `keep_releases` complete versions in <destination>.releases/ and points
# the <destination> symlink at the live one (the web server's root).
DEPLOY = {
    "method": "",  # "rsync" or "gh-pages"
    "destination": "",
    "ssh_port": 22,
    "branch": "gh-pages",
    "keep_releases": 5,
    "cname": "",  # gh-pages: the custom domain written to CNAME, e.g. "www.example.it"
}
