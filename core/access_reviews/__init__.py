"""Access reviews: systems, snapshots, accounts, people directory, reviews, decisions and removals."""
