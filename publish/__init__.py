"""djspecs.publish: see the issues that build it."""
