"""The ``[cluster]`` section: several instances on one PostgreSQL (docs/postgresql.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClusterSettings(BaseModel):
    """Each instance holds a lease it renews every third of ``lease_seconds``; the rows in
    flight on one whose lease runs out are sent by the others. Unused on SQLite (one
    process)."""

    model_config = ConfigDict(extra="forbid")

    # How long an instance that stopped renewing counts as alive: what a crash delays its
    # in-flight messages by, and what a pause of the process (or the database) may last.
    lease_seconds: float = Field(default=15.0, ge=3, le=600)
    # What the instance stamps its claims with: unique among the running instances, and
    # kept across restarts (e.g. the systemd unit's name) so that a restart takes its own
    # rows back at once. Default: the host and process id, so a restart waits for the old
    # lease to run out.
    instance_id: str | None = Field(default=None, min_length=1, max_length=100)
    # How long a chat's updates stay with an instance that stopped renewing its claim on
    # the chat (it died) before another takes them (app/inbox.py).
    claim_lease_seconds: float = Field(default=10.0, ge=2, le=300)

    @property
    def renew_seconds(self) -> float:
        return self.lease_seconds / 3
