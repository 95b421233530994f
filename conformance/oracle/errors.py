"""What the oracle raises: the errors the rules prescribe, and inputs it does not model."""

from __future__ import annotations

from djspecs.conformance.errors import SpecError


class OracleError(SpecError):
    """The rules say this operation fails with `error_class`."""


class NotModelledError(NotImplementedError):
    """The oracle does not model this input, so it cannot say what the spec expects."""
