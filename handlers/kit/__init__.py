"""The shared kit of the screens: the per-update helpers, flows, forms, pickers, the menu."""
