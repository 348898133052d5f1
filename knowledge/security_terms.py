"""Words that make a question about security whatever else it says ("is it safe to save passwords?")."""

from __future__ import annotations

import re

# Everyday terms staff use for security matters, which mean little outside them. Short how-to
# questions carry one such word among common ones, and the model then comes no closer to the
# catalogue than small talk does. Ambiguous words (virus, fake, suspicious) count only in a
# phrase that makes them security's. General vocabulary, not any evaluation question's wording.
_TERMS = re.compile(
    r"\b(?:pass(?:word|phrase|code)s?|phish\w*|smishing|vishing|scam(?:s|mer|mers)?|fraudulent"
    r"|malware|ransomware|spyware|anti-?virus|computer virus|(?:got|been|was|were|is) hacked"
    r"|hackers?|(?:data )?breach(?:ed|es)?|encrypt\w*|decrypt\w*|vpn|2fa|mfa|two-factor"
    r"|multi-factor|authenticator|suspicious (?:links?|emails?|messages?|texts?|calls?"
    r"|attachments?|websites?|sites?)|fake (?:links?|emails?|websites?|sites?|invoices?|login"
    r"|pages?)|shred(?:der|ding|ded)?|confidential|sensitive (?:data|information|documents?"
    r"|files?|papers?)|personal data|security)\b",
    re.I,
)


def mentions_security(text: str) -> bool:
    """Whether the question uses a term that only security gives this meaning."""
    return _TERMS.search(text) is not None
