"""Simulated operational (metered) battery data for the demo; see SOURCES.md."""
