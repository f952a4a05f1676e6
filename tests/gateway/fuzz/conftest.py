"""The fuzzer acts as a platform administrator on every route, the stateful phase following the
API's links: it revokes clients and disables people it finds. On infrastructure of its own, so that
no other test meets a revoked client or a disabled person."""

from tests.support.isolated import infra, isolated, stack, tokens

__all__ = ["infra", "isolated", "stack", "tokens"]
