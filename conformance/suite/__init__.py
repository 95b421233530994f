"""The conformance suite's tests: `pytest --pyargs djspecs.conformance --impl NAME --backend NAME`."""
