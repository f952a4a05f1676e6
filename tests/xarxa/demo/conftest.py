"""The demo loader's tests load the whole demo: on infrastructure of their own, so that no other test's
database holds demo data (tests assert on what they create)."""

from tests.support.isolated import infra, isolated, stack, tokens

__all__ = ["infra", "isolated", "stack", "tokens"]
