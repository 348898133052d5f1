"""The paced sender's pacing: workspace rate, one per second per channel, pauses on 429."""

from __future__ import annotations

from jobs.delivery import WINDOW_GUARD, Pacer


class Clock:
    def __init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 2))


def test_workspace_rate_spaces_messages() -> None:
    clock = Clock()
    pacer = Pacer(10.0, sleep=clock.sleep)
    for i in range(5):
        pacer.wait(f"U{i}")
    # The fake sleep lets no time pass, so each wait is one interval longer than the one before.
    assert len(clock.slept) == 4
    steps = [b - a for a, b in zip([0.0, *clock.slept], clock.slept, strict=False)]
    assert all(0.09 < step < 0.12 for step in steps)


def test_rate_leaves_a_guard_so_network_jitter_does_not_trip_slacks_window() -> None:
    clock = Clock()
    pacer = Pacer(20.0, sleep=clock.sleep)
    for i in range(21):
        pacer.wait(f"U{i}")
    # The 21st message goes out more than a second after the first, by the guard.
    assert clock.slept[-1] >= 1.0 + WINDOW_GUARD - 0.01


def test_one_message_per_second_to_the_same_channel() -> None:
    clock = Clock()
    pacer = Pacer(100.0, sleep=clock.sleep)
    pacer.wait("C1")
    pacer.wait("C1")
    assert clock.slept and clock.slept[-1] >= 0.9


def test_pause_holds_everything() -> None:
    clock = Clock()
    pacer = Pacer(100.0, sleep=clock.sleep)
    pacer.pause(2.0)
    pacer.wait("U1")
    assert clock.slept and clock.slept[0] >= 1.9
