"""The per-message stages: verify, chain and process each stored message once, deliver answers."""
