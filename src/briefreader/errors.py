"""Errors a user should read: one clear line, never a traceback."""

from __future__ import annotations


class BriefreaderError(Exception):
    """Base of every error whose message is meant for the user as it is."""


class BriefError(BriefreaderError):
    """Base of every error raised while importing a brief.

    Defined here rather than in ``parse`` so that the importers ``parse`` uses
    (``parse_markdown``, ``parse_text``) can raise it without an import cycle;
    ``briefreader.parse.BriefError`` is the same class.
    """
