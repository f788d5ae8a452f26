"""Identifiers that must not be mixed up, as distinct types."""

from __future__ import annotations

from typing import NewType

GLN = NewType("GLN", str)
"""GS1 Global Location Number: 13 digits, the last a check digit."""

GTIN = NewType("GTIN", str)
"""GS1 Global Trade Item Number, always normalised to 14 digits."""

EventHash = NewType("EventHash", str)
"""SHA-256 of an event's canonical bytes, lower-case hex (64 characters)."""

PackKey = NewType("PackKey", str)
"""A pack's identity in the ledger: '<gtin14>/<serial>'."""
