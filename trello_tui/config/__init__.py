"""Settings from config.toml (read-only), credentials.toml and state.toml (written mode 0600),
the key-binding checks and the commented template. Never imports Textual."""
