"""Grid duty: the roster (grids, shifts), confirmations, starting and ending duty."""
