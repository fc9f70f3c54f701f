"""briefreader: an offline reader for briefs, with highlights, notes and section comments."""

__version__ = "0.1.0"
