"""Local infrastructure launcher: embedded PostgreSQL and an Apache Kafka cluster on loopback.

Used by `xarxa infra`, `xarxa up`, the test fixtures and the benchmarks. Nothing here is imported
by the services themselves: they only see connection settings.
"""


class InfraError(RuntimeError):
    """A piece of local infrastructure could not be prepared or started."""
