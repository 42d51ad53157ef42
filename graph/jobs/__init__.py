"""Background jobs on procrastinate's PostgreSQL queue.

`queue` defers and cancels queue jobs with SQL on the caller's own transaction (the write
path uses it: a job is enqueued with the mutation that asks for it, or not at all); `tasks`
holds what workers run (the user-visible `Job` kinds and the periodic housekeeping);
`worker` is `trellis worker`'s entry point.
"""
