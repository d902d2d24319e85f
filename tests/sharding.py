"""``pytest --shard K/N``: run the K-th of N parts of the suite, so that CI can spread the tests
over parallel jobs. A part is a set of whole test files (module fixtures are made once), and
the files are dealt out by their number of tests, the largest first, to the lightest part: the
same files in the same part on every machine and in every worker process."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

SHARD = re.compile(r"^([1-9]\d*)/([1-9]\d*)$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N), 1 <= K <= N; a ValueError naming the option otherwise."""
    match = SHARD.match(text.strip())
    if not match or int(match.group(1)) > int(match.group(2)):
        raise ValueError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. --shard 1/2")
    return int(match.group(1)), int(match.group(2))


def deal(files: Iterable[str], parts: int) -> dict[str, int]:
    """Each file's part (0-based), given one entry per test in ``files``."""
    counts = Counter(files)
    loads = [0] * parts
    assigned: dict[str, int] = {}
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        part = min(range(parts), key=lambda p: (loads[p], p))
        assigned[name] = part
        loads[part] += count
    return assigned
