"""The risk register: risks with owners, scores, treatment, plans, reviews and acceptances."""
