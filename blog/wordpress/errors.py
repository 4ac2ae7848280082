"""The one exception of the importer: its message is Italian and says what to do."""


class ImportFailed(Exception):
    """The export cannot be imported; nothing was written."""
