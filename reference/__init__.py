"""djspecs.reference: see the issues that build it."""
