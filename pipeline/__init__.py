"""Tension Tracker: directed, explained statements of hostile and cooperative rhetoric between countries."""

__version__ = "0.1.0"
