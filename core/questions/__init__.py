"""Questions people ask, what the bot answered, their feedback and the gap report."""
