"""Shared configuration, database access and the records every part of compliance-bot uses."""
