"""What the standards say and how to find it. Imports nothing from bot/ or jobs/."""
