"""Event payloads: public, versioned contracts. Not ORM classes, not API schemas."""
