"""Running the command line in-process, as the CLI tests do."""

from __future__ import annotations

import json

from briefreader.cli import main

#: A small Markdown brief with an id, a lead and two sections, for the notes commands.
BRIEF = """\
---
title: Fisheries Readout
id: fisheries-2026
---

Quotas were agreed late on Thursday.

## Catch limits

The cod quota falls by 12 percent next year. The haddock quota is unchanged.
The cod quota for inshore boats is protected.

## Enforcement

Satellite monitoring becomes mandatory for vessels over 12 metres.
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``briefreader ARGV``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    """The parsed ``--json`` output of a command that must succeed."""
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)
