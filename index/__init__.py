"""The hub's index: building, publishing and searching it."""
