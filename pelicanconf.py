"""Pelican settings for local work (``invoke build``, ``invoke livereload``).

Production overrides live in ``publishconf.py``. Settings are data: plugins read the
``KIT_*``, ``CONTACT_*`` and ``ISSO_*`` keys below, templates read everything.
"""

import os

AUTHOR = "Giulia"
AUTHOR_ROLE = "Assistente Virtuale"
AUTHOR_BIO = (
    "Sono Giulia, assistente virtuale: aiuto piccole imprese e liberi professionisti "
    "a delegare bene, per tornare a occuparsi di ciò che conta davvero."
)
SITENAME = "Giulia · Assistente Virtuale"
SITESUBTITLE = "Delegare bene, lavorare meglio"
SITE_DESCRIPTION = (
    "Il blog di Giulia, assistente virtuale: come prepararsi a delegare, "
    "scegliere le attività giuste e lavorare bene con un’assistente a distanza."
)
# Local address of `invoke serve`; publishconf.py sets the real domain.
SITEURL = "http://127.0.0.1:8000"
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
EXTRA_PATH_METADATA = {
    "extra/favicon.svg": {"path": "favicon.svg"},
    "extra/favicon.ico": {"path": "favicon.ico"},
    "extra/apple-touch-icon.png": {"path": "apple-touch-icon.png"},
}
OUTPUT_PATH = "output"
DELETE_OUTPUT_DIRECTORY = False

TIMEZONE = "Europe/Rome"
DEFAULT_LANG = "it"
DEFAULT_CATEGORY = "Assistente Virtuale"
DEFAULT_DATE_FORMAT = "d MMMM y"  # Babel pattern, rendered by the italian_dates plugin
# One line under each category's title (theme/templates/category.html).
CATEGORY_DESCRIPTIONS = {
    "Assistente Virtuale": (
        "Che cosa fa un’assistente virtuale, come si sceglie e come si lavora insieme a distanza."
    ),
    "Delega": "Come si delega davvero: scegliere le attività, scrivere istruzioni, dare riscontri.",
    "Interviste": (
        "Professionisti che hanno cominciato a delegare raccontano com’è andata, errori compresi."
    ),
}

THEME = "theme"
PLUGIN_PATHS = ["plugins"]
# Explicit, so that no installed namespace plugin loads behind our back.
PLUGINS = [
    "italian_dates",
    "strict_links",
    "symlink_guard",  # before anything reads a file: no symlink out of the project or in a loop
    "reserved_paths",  # no post at pagefind/, feeds/, theme/, kit/, og/, bozze/, isso/…
    "front_matter",
    "draft_guard",
    "scheduled_posts",  # a post dated in the future: a badge here, held in production
    "pelican.plugins.series",
    "pelican.plugins.related_posts",
    "pelican.plugins.neighbors",
    "fresh_sitemap",  # pelican-sitemap made anew for every run (a failed run keeps no state)
    "reproducible",  # SOURCE_DATE_EPOCH for the sitemap's undated pages (after sitemap)
    "kit_pdf",
    "plain_text_meta",
    "seo_meta",
    "reading_time",
    "og_image",
    "content_images",
    "asset_hash",  # theme CSS/JS as site.<hash>.css, cached a year as immutable
    "wordpress_redirects",  # old WordPress addresses: _redirects + refresh pages (if imported)
    "render_memo",  # development builds: unchanged pages are not rendered again
    "static_guard",  # last: drops unreferenced static files when STATIC_PRUNE_UNREFERENCED
]
# Context lists the theme reads only names, addresses and counts from (never a post's
# text): an incremental build signs them by which posts they hold (plugins/render_memo).
RENDER_MEMO_MEMBERSHIP = ["categories", "tags", "authors", "articles_next_page",
                          "articles_previous_page"]

# Pretty, stable URLs: Isso keys comments by path, so these must not change.
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "categoria/{slug}/"
CATEGORY_SAVE_AS = "categoria/{slug}/index.html"
CATEGORIES_URL = "categorie/"
CATEGORIES_SAVE_AS = "categorie/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_URL = "tag/"
TAGS_SAVE_AS = "tag/index.html"
AUTHOR_URL = "autore/{slug}/"
AUTHOR_SAVE_AS = "autore/{slug}/index.html"
AUTHORS_SAVE_AS = ""
ARCHIVES_URL = "archivio/"
ARCHIVES_SAVE_AS = "archivio/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "categories", "tags", "archives", "404"]
# robots.txt is a template: it names the sitemap with the site's absolute URL.
TEMPLATE_PAGES: dict[str, str] = {"extra/templates/robots.txt": "robots.txt"}
STATIC_EXCLUDES = ["extra/templates"]
FOUROHFOUR_SAVE_AS = "404.html"

# Drafts are never written. A local preview (`invoke livereload --drafts`,
# `invoke build --drafts`) applies DRAFTS_PREVIEW on top of these settings;
# publishconf.py empties it, so a production build cannot show a draft.
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFTS_PREVIEW = {
    "DRAFT_URL": "bozze/{slug}/",
    "DRAFT_SAVE_AS": "bozze/{slug}/index.html",
    "DRAFT_PAGE_URL": "bozze/pagine/{slug}/",
    "DRAFT_PAGE_SAVE_AS": "bozze/pagine/{slug}/index.html",
}

DEFAULT_PAGINATION = 6
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/pagina/{number}/", "{base_name}/pagina/{number}/index.html"),
)
SUMMARY_MAX_LENGTH = 40

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/tutti.atom.xml"
FEED_ALL_RSS = "feeds/tutti.rss.xml"
CATEGORY_FEED_ATOM = "feeds/categoria-{slug}.atom.xml"
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
RSS_FEED_SUMMARY_ONLY = False
FEED_MAX_ITEMS = 20

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.smarty": {
            "smart_angled_quotes": True,
            "substitutions": {
                "left-angle-quote": "«",
                "right-angle-quote": "»",
                "left-single-quote": "‘",
                "right-single-quote": "’",
                "left-double-quote": "“",
                "right-double-quote": "”",
                "ellipsis": "…",
                "ndash": "–",
                "mdash": "—",
            },
        },
    },
    "output_format": "html5",
}
TYPOGRIFY = False
# Titles and summaries are plain text (plugins/plain_text_meta escapes them once);
# autoescape escapes every other value, templates mark trusted HTML with |safe.
FORMATTED_FIELDS: list[str] = []
JINJA_ENVIRONMENT = {"autoescape": True}
READING_TIME_WPM = 200

CACHE_CONTENT = True
# Pelican rewrites its whole content cache on every build: gzip made that 0.4 s of a
# one-post edit at 1,000 posts, to save a few MB of .cache/.
GZIP_CACHE = False
LOAD_CONTENT_CACHE = True
CACHE_PATH = ".cache/pelican"
KIT_CACHE = ".cache/kit"  # the kit plugin's cache (relative to this file)
# Pelican's content cache knows a file changed by its modification time (its default).
# "md5" opened and hashed every source three times a build (Pelican stamps each file at
# two caching levels, one of them unused): 0.2 s of every build at 1,000 posts on this
# disk. A save, a git checkout or a WordPress import all give the file a new time.
CHECK_MODIFIED_METHOD = "mtime"

SITEMAP = {
    "format": "xml",
    "priorities": {"articles": 0.8, "indexes": 0.5, "pages": 0.6},
    "changefreqs": {"articles": "monthly", "indexes": "weekly", "pages": "monthly"},
    # Every public page; not the 404 page nor robots.txt (written as a template).
    "exclude": [r"^404\.html$", r"^robots\.txt$"],
}
RELATED_POSTS_MAX = 4

# Contact: visible address, mailto with a prefilled subject; works without JavaScript.
CONTACT_EMAIL = "scrivimi@giulia-assistente.example"
CONTACT_SUBJECT = "Richiesta informazioni dal blog"
# True at any hour (no "I am offline" as if it were a chat).
CONTACT_OFFLINE_NOTICE = (
    "Hai una domanda sulla delega o vuoi capire se posso aiutarti? Scrivimi quando vuoi: "
    "leggo ogni messaggio di persona e ti rispondo entro due giorni lavorativi."
)

# Comments: Isso on the site's own origin (deploy/nginx.conf proxies /isso/ in
# production, `invoke comments` locally; config in isso/isso.cfg). An absolute path, so
# it works with relative URLs too. Empty: no comment widget, only the mailto link.
# `invoke publish` to a target with no comment server (gh-pages, or DEPLOY "comments":
# False in publishconf.py) builds with it empty: no comment form, no comment request.
ISSO_URL = os.environ.get("DELEGA_ISSO_URL", "/isso/")

MENUITEMS = ()
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False
MAIN_MENU = (
    ("Articoli", "archivio/"),
    ("Kit sulla delega", "kit-sulla-delega/"),
    ("Chi sono", "chi-sono/"),
    ("Contatti", "contatti/"),
)
FOOTER_LINKS = (("Privacy", "privacy/"), ("L’Arte della Delega", "arte-della-delega/"))
