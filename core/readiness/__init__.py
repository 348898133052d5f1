"""Readiness: each requirement's status per framework, from the register and its evidence."""

from core.readiness.model import STATUSES, Readiness, RequirementStatus, Tally
from core.readiness.service import ReadinessError, readiness

__all__ = ["STATUSES", "Readiness", "ReadinessError", "RequirementStatus", "Tally", "readiness"]
