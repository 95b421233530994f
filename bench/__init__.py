"""Benchmarks of the reference implementation against DataJoint 2.x, the raw drivers and the export limit."""
