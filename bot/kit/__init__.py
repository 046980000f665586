"""The shared kit of the rules: catalogues, clock, days, durations, typed input, tables,
the form model."""
