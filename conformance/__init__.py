"""djspecs.conformance: the conformance suite and its certificates.

The suite's tests, adapters and pytest plugin arrive with the conformance issue; today this package
writes the certificate format, with every rule `untested`, and holds the oracle (`oracle/`, an evaluator
of the query algebra written from the rules) with the runner that checks query vectors against it
(`vectors.py`).
"""
