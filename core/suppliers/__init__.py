"""The supplier register: suppliers with owners, assurance and its expiry, reviews and requests."""
