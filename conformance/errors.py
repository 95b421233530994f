"""The error an evaluator reports when an operation fails the way the spec says it must.

Vectors name an error class from `spec/capabilities.yaml` (`errors`), never a message. Every evaluator the
suite runs (the oracle now, implementation adapters later) reports such failures as a `SpecError`, so the
runner compares one shape whichever evaluator produced it.
"""

from __future__ import annotations

from djspecs.spec import load_vocabulary


class SpecError(Exception):
    """An operation failed with an error class of the spec's vocabulary."""

    def __init__(self, error_class: str, message: str):
        if error_class not in load_vocabulary().errors:
            raise ValueError(f"'{error_class}' is not an error class of spec/capabilities.yaml")
        super().__init__(message)
        self.error_class = error_class
        self.classes: tuple[str, ...] = (error_class,)  # every class of the vocabulary the error is an instance of

    def is_a(self, expected: str) -> bool:
        """Whether the error is of class `expected` or of a class below it in the vocabulary's tree."""
        vocabulary = load_vocabulary()
        return any(expected in vocabulary.error_ancestors(name) for name in self.classes if name in vocabulary.errors)
