"""Errors a user should read: one clear line, never a traceback."""

from __future__ import annotations


class BriefreaderError(Exception):
    """Base of every error whose message is meant for the user as it is."""
