"""The paced sender's pacing: workspace rate, one per second per channel, pauses on 429."""

from __future__ import annotations

from jobs.delivery import Pacer


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
    # Four waits of about 0.1 s each (real time passes a little between calls).
    assert len(clock.slept) == 4 and all(0.05 < s <= 0.4 for s in clock.slept)


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
