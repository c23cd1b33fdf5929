"""Conformance suite: checks any implementation of the four vendor APIs against their contracts, over HTTP."""
