"""The Trello API: models, errors, client, rate limiter, request queue, pos arithmetic.

Knows nothing of Textual, SQLite or the screen.
"""
