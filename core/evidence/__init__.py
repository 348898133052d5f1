"""The evidence domain: the control register, evidence requests, submissions and the auditor export."""
