"""Patterns of the codes every service accepts, written once (OpenAPI shows them as `pattern`)."""

COUNTRY = r"^[A-Z]{2}$"  # ISO 3166-1 alpha-2
CURRENCY = r"^[A-Z]{3}$"  # ISO 4217
LANGUAGE = r"^[a-z]{2}$"  # ISO 639-1
SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"  # network codes
ORG_REF = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$"  # IATI organisation identifiers
CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"  # project and funding source codes
