"""Adapters: how the conformance suite drives an implementation."""
