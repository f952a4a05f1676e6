"""The large-file tests register thousands of published projects: on infrastructure of their own, so
that no other test meets their consumers still catching up or counts their projects."""

from tests.support.isolated import infra, isolated, stack, tokens

__all__ = ["infra", "isolated", "stack", "tokens"]
