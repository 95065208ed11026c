"""Offline-safe sync with the central PostgreSQL database.

* `outbox`: the desk's durable queue of changes (local SQLite);
* `applier`: applies one change to the central database exactly once (idempotency keys);
* `replicator`: the thread that drains the outbox, with backoff while the database is away;
* `notify`: the thread that LISTENs for changes other desks made;
* `notices`: what the sync tells the window (its state, changed rows, conflicts, refusals).
"""
