"""The one reminder engine: who owes what by when, next reminder, snooze and escalation."""
