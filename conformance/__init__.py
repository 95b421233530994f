"""djspecs.conformance: the conformance suite and its certificates.

The suite's tests, adapters and pytest plugin arrive with the conformance issue; today this package
writes the certificate format, with every rule `untested`.
"""
