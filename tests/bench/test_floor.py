"""Targets judged at the framework floor of the run (bench/floor.py): twice the time and
half the throughput on a machine whose floor is twice as slow, and the same at the floor
the targets were set at."""

from bench.floor import REFERENCE_MS, Targets


def test_targets_scale_with_the_floor_measured():
    same, slower, faster = Targets(REFERENCE_MS), Targets(2 * REFERENCE_MS), Targets(0.5)
    assert same.ms(50) == 50 and same.per_second(50_000) == 50_000
    assert slower.ms(50) == 100 and slower.per_second(50_000) == 25_000
    assert faster.ms(150) == 150 * 0.5 / REFERENCE_MS
    assert "targets x2.00" in slower.line()
