"""Live updates: incremental polling (poller), the webhook receiver (webhooks), registration
(registrar), the tunnel command (tunnel), and the switch between webhooks and polling (updates,
link). Remote actions reach the engine through its merge. Never imports Textual."""
