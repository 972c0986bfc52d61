import uuid

from ihf.ids import uuid7


def test_it_makes_version_7_uuids_that_sort_by_time():
    first, second = uuid7(1_700_000_000_000), uuid7(1_700_000_000_001)
    assert first.version == 7 and first.variant == uuid.RFC_4122
    assert first < second
    assert first.int >> 80 == 1_700_000_000_000


def test_it_is_deterministic_given_its_inputs():
    assert uuid7(5, b"\x01" * 10) == uuid7(5, b"\x01" * 10)
    assert uuid7(5, b"\x01" * 10) != uuid7(5, b"\x02" * 10)
