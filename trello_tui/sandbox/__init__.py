"""A Trello-compatible API server: the demo's backend and the tests' Trello.

Knows nothing of the client code.
"""
