"""Keeps the local model true to Trello: operations, engine, polling, webhooks."""
