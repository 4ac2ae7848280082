"""Production settings: the real domain, absolute URLs, feeds for subscribers.

Imported by ``invoke publish``; everything else comes from ``pelicanconf.py``.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# The author sets the real domain here (or in the environment) before the first publish.
SITEURL = os.environ.get("DELEGA_SITEURL", "https://www.giulia-assistente.example")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

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
