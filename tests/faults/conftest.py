"""The outage tests stop the broker and the database: on infrastructure of their own, so that no other
test meets a broker that is down or a consumer still catching up."""

from tests.support.isolated import infra, isolated, stack, tokens

__all__ = ["infra", "isolated", "stack", "tokens"]
