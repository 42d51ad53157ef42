"""Email: templates (plain text and HTML), the outbox written in the caller's transaction,
and delivery over SMTP by a queue job (graph/jobs/tasks.py ``send_email``)."""
