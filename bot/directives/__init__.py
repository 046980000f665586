"""Directives: issuing, delivering, acknowledging and chasing them."""
