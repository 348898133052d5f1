"""The risk scale from settings: likelihood and impact 1..top, score bands, sign-off thresholds."""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Settings

TREATMENTS = ("mitigate", "accept", "transfer", "avoid")


@dataclass(frozen=True)
class RiskScale:
    """How risks are scored and when accepting one needs a sign-off or an approval."""

    top: int = 5
    levels: tuple[tuple[str, int], ...] = (
        ("low", 1),
        ("medium", 5),
        ("high", 10),
        ("critical", 17),
    )
    acceptance_score: int = 6
    approval_score: int = 12

    @classmethod
    def from_settings(cls, settings: Settings) -> RiskScale:
        """The scale the settings define (RISK_SCALE, RISK_LEVELS, RISK_*_SCORE)."""
        return cls(
            settings.risk_scale,
            tuple(settings.risk_levels),
            settings.risk_acceptance_score,
            settings.risk_approval_score,
        )

    def in_scale(self, value: int) -> bool:
        """True for 1..top."""
        return 1 <= value <= self.top

    def level(self, score: int) -> str:
        """The name of the band the score falls in."""
        name = self.levels[0][0]
        for band, start in self.levels:
            if score >= start:
                name = band
        return name

    def needs_signoff(self, treatment: str, residual_score: int) -> bool:
        """An accepted risk above the acceptance threshold needs its owner's explicit sign-off."""
        return treatment == "accept" and residual_score > self.acceptance_score

    def needs_approval(self, residual_score: int) -> bool:
        """Above the second threshold a security-team member approves the acceptance too."""
        return residual_score > self.approval_score
