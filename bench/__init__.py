"""`make bench`: the platform measured against its own limits, side by side (figures, never pass/fail)."""
