"""``pytest --shard K/N``, which the pull-request workflow uses to run the suite on two runners."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR
from tests.sharding import deal, parse_shard


def test_every_file_goes_to_exactly_one_part_and_the_parts_are_balanced():
    tests = ["a.py"] * 9 + ["b.py"] * 5 + ["c.py"] * 4 + ["d.py"] * 1
    parts = deal(tests, 2)
    assert set(parts) == {"a.py", "b.py", "c.py", "d.py"} and set(parts.values()) == {0, 1}
    loads = [sum(1 for t in tests if parts[t] == p) for p in (0, 1)]
    assert sorted(loads) == [9, 10]
    assert deal(reversed(tests), 2) == parts, "the same files in the same part whatever the order"


@pytest.mark.parametrize("text, expected", [("1/2", (1, 2)), ("2/2", (2, 2)), (" 3/4 ", (3, 4))])
def test_a_shard_is_k_of_n(text, expected):
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "half", "1/2/3", "-1/2", ""])
def test_a_shard_outside_1_to_n_is_refused_naming_the_option(text):
    with pytest.raises(ValueError, match=r"--shard .*expected K/N with 1 <= K <= N"):
        parse_shard(text)


def test_the_two_parts_of_the_suite_are_the_whole_suite_once():
    files = ["tests/test_sharding.py", "tests/test_project.py", "tests/test_engine.py"]

    def collected(*extra: str) -> set[str]:
        done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                               "-n", "0", *extra, *files], cwd=PROJECT_DIR, capture_output=True, text=True,
                              check=False)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return {line for line in done.stdout.splitlines() if "::" in line}

    first, second, whole = collected("--shard", "1/2"), collected("--shard", "2/2"), collected()
    assert first and second and not first & second and first | second == whole
