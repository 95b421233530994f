"""djspecs.conformance: the conformance suite, its adapters and its certificates.

- `adapter`: the protocol an implementation provides (`Adapter`), and `load_adapter(name or path)`;
- `adapters/`: the reference implementation and DataJoint 2.x behind that protocol;
- `plugin`: the pytest plugin (`pytest --pyargs djspecs.conformance --impl NAME --backend NAME`);
- `suite/`: the tests, each naming the rules it checks; `oracle/` and `strategies` serve the property tests;
- `certify`, `report`, `certificate`: `djspecs certify` and the files it writes.
"""
