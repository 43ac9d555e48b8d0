"""Backfill room owners. Half-merged during a rebase: this file does not parse."""

def upgrade(connection):
    rows = connection.execute("SELECT id, owner FROM rooms"
    for row in rows:
        connection.execute("UPDATE rooms SET owner_id = %s WHERE id = %s", (row.owner, row.id))
