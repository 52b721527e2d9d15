"""The encoder config (bound to its builder) and the registered experiments."""
