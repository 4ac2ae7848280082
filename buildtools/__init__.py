"""Build helpers behind ``tasks.py``: staged site builds, search indexing, checks, publishing."""
