"""Maintenance scripts: each regenerates a committed file from a pinned source."""
