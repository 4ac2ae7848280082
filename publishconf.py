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
