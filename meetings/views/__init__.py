"""HTML views of the meetings app, one module per screen group."""
