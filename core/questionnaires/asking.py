"""What a questionnaire row asks: the search query it becomes, and which kinds of sources fit it."""

from __future__ import annotations

import dataclasses
import re

from knowledge.search import Hit

# "Audit records", "audit trail", "audit logs" are about logging, not about audits.
_AUDIT_LOGGING = re.compile(
    r"\baudit(?:able)?[- ](?:records?|trails?|logs?|logging|events?|entries)\b", re.IGNORECASE
)
_LOGGING = re.compile(
    r"\b(?:log|logs|logged|logging|audit[- ]trails?|audit records?|monitor(?:ed|ing)?|siem|"
    r"alert(?:s|ing)?|security events?)\b",
    re.IGNORECASE,
)
# A question about the service the customer buys, not about the vendor's staff.
_PRODUCT = re.compile(
    r"\b(?:your|the) (?:application|app|product|platform|service|solution|software|system|"
    r"saas|api|apis|environment|cloud service|hosted service)s?\b|\bcustomers?'? data\b|"
    r"\bclient data\b|\btenants?\b|\bmulti-tenan\w*|\bcustomer[- ]facing\b|\bend[- ]users?\b",
    re.IGNORECASE,
)
_AUDIT = re.compile(r"\baudit(?:s|ing|ors?)?\b", re.IGNORECASE)
INTERNAL_AUDIT = ("9.2", "9.2.1", "9.2.2", "CC4.1", "CC4.2", "A.5.35", "topic.internal-audit")
LOGGING = ("A.8.15", "A.8.16", "CC7.2", "org.logging-monitoring")
AUDIT_PROGRAMME = ("9.2", "9.2.1", "9.2.2", "A.8.34", "A.6.3", "7.2", "7.3", "CC4.1", "CC4.2")
SERVICE = (
    *("A.8.3", "A.8.11", "A.8.12", "A.8.15", "A.8.16", "A.8.22", "A.8.24", "A.8.25", "A.8.26"),
    *("A.8.27", "A.8.28", "A.8.29", "A.8.31", "CC6.1", "CC6.6", "CC6.7", "CC7.1", "CC7.2"),
    *("CC8.1", "org.change-management", "org.cryptography", "org.logging-monitoring"),
)
STAFF = ("A.6.1", "A.6.2", "A.6.3", "A.6.5", "A.6.7", "7.2", "7.3", "CC1.4", "org.people-security")
PREFER, AVOID, STRONG = 1.15, 0.7, 1.25
SECTION_CHARS = 80


def about_logging(question: str) -> bool:
    """Logging, audit trails, monitoring, alerting."""
    return bool(_LOGGING.search(question))


def about_product(question: str) -> bool:
    """`Does your application…`, `customers' data…`, tenants: the service, not the staff."""
    return bool(_PRODUCT.search(question))


def query_for(question: str, section: str = "") -> str:
    """The search query for a row: audit records read as logging, the section heading as context."""
    query = _AUDIT_LOGGING.sub("event logging records", question)
    heading = " ".join(section.split())[:SECTION_CHARS]
    if heading and heading.casefold() not in query.casefold():
        query = f"{query} ({heading})"
    return query


def rerank(hits: list[Hit], question: str, section: str = "") -> list[Hit]:
    """Hits re-ordered by what is asked: logging is not internal audit; the service before the staff."""
    asked = f"{question} {section}"
    logging, product = about_logging(asked), about_product(question)
    audit = not logging and bool(_AUDIT.search(question))
    if not (logging or product or audit):
        return hits
    out = []
    for hit in hits:
        cited = set(hit.entry.cites) if hit.entry.framework == "topic" else {hit.entry.id}
        factor = 1.0
        if logging:
            factor *= AVOID if cited & set(AUDIT_PROGRAMME) else 1.0
            factor *= STRONG if cited & set(LOGGING) else 1.0
        if audit:
            factor *= (
                STRONG if cited & set(INTERNAL_AUDIT) or hit.entry.id in INTERNAL_AUDIT else 1.0
            )
            factor *= AVOID if cited & set(STAFF) and not cited & set(INTERNAL_AUDIT) else 1.0
        if product:
            factor *= PREFER if cited & set(SERVICE) else 1.0
            factor *= AVOID if cited & set(STAFF) and not cited & set(SERVICE) else 1.0
        out.append(dataclasses.replace(hit, score=hit.score * factor) if factor != 1.0 else hit)
    return sorted(out, key=lambda h: -h.score)
