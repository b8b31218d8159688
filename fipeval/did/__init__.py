"""Difference-in-differences on caseworker and client panels."""

from .panels import caseworker_panel, client_panel, mark_treatment, to_quarters

__all__ = ["caseworker_panel", "client_panel", "mark_treatment", "to_quarters"]
