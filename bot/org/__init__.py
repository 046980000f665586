"""Organisation: units, scope (authz), invites, membership, privacy, notices to secretaries."""
