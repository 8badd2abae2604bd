"""Rules of the cases app, one module per area; each registers with agencies.policy."""
