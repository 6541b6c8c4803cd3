"""Outbound HTTP: one guarded client for every request the service makes on a user's behalf."""
