"""Reads of the cases app that start from what the actor may see, one module per area."""
