"""Comments: Isso run from the repository's own configuration (:mod:`.isso`), for the
author locally and on the server. Uses ``serve`` for the local site beside it.
"""
