"""Values no other test of the run uses, so that each test starts from a known state whatever ran
before it: its own project codes, partner cities, funding source codes and grant call codes.

Reports read per partner city (or per code) then hold exactly what the test made. Institutions are
a fixed codelist: a test that needs an institution's year to itself takes `unique_year()`."""

from __future__ import annotations

import itertools
import secrets

_serial = itertools.count(1)
# Past years handed out one by one, each to one test: 1990 (the first the API takes), 1991 ...; no
# other test books money or declares revenues before 2000.
_years = itertools.count(1990)
_RUN = secrets.token_hex(2)  # two runs against one database (a rerun) never meet either


def unique_code(prefix: str = "T") -> str:
    """A project, source or call code: `prefix`-serial-run, in the API's code alphabet."""
    return f"{prefix}-{next(_serial):05d}-{_RUN}".upper()


def unique_city(prefix: str = "Ciutat") -> str:
    """A partner city name no gazetteer knows and no other test uses (so it has no coordinates)."""
    return f"{prefix} {next(_serial)} {_RUN}"


def unique_year() -> int:
    """A past year no other test of the run declares revenues or books money in."""
    return next(_years)


def unique_years(count: int) -> int:
    """The first of `count` consecutive past years that are this test's alone (money that spans a
    year end)."""
    years = [next(_years) for _ in range(count)]
    return years[0]
