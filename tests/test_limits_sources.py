"""The limits table (``infra/limits.py``) against the providers' own published tables, copied into
``tests/data`` with their sources."""

from __future__ import annotations

import re

from infra.config.aws_offerings import DOCUMENTDB_INSTANCE_CLASSES
from infra.limits import DOCUMENTDB_CONNECTIONS
from tests.conftest import PROJECT_DIR

GUIDE = PROJECT_DIR / "tests" / "data" / "documentdb" / "instance-limits.md"


def guide_connections() -> dict[str, int]:
    """``db.<class>`` -> "Connections (all)" from the developer guide's instance limits table."""
    rows: dict[str, int] = {}
    for line in GUIDE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"([A-Z0-9]+)\.(\w+)(?:\\\*)?", cells[0]) if len(cells) == 6 else None
        if match:
            rows[f"db.{match.group(1).lower()}.{match.group(2)}"] = int(cells[2])
    return rows


def test_each_documentdb_class_accepts_the_connections_the_developer_guide_lists():
    published = guide_connections()
    assert published["db.t4g.medium"] == 1000 and published["db.r6g.large"] == 3400, "the copy is read"
    assert {name: published[name] for name in DOCUMENTDB_CONNECTIONS} == DOCUMENTDB_CONNECTIONS


def test_every_offered_class_the_guide_lists_has_its_limit_and_only_those():
    published = guide_connections()
    listed = {name for name in DOCUMENTDB_INSTANCE_CLASSES if name in published}
    assert set(DOCUMENTDB_CONNECTIONS) == listed
    unlisted = sorted(set(DOCUMENTDB_INSTANCE_CLASSES) - listed)
    assert unlisted and all(name.startswith("db.r8g.") for name in unlisted), unlisted


REGIONS_PAGE = PROJECT_DIR / "tests" / "data" / "documentdb" / "regions.md"


def test_documentdb_regions_are_the_commercial_ones_the_developer_guide_lists():
    from infra.config.aws_offerings import DOCUMENTDB_REGIONS, REGIONS

    published = set(re.findall(r"`([a-z]{2}(?:-gov)?-[a-z]+-\d)`", REGIONS_PAGE.read_text()))
    assert {"us-east-1", "us-west-2", "cn-north-1", "us-gov-west-1"} <= published, "the copy is read"
    assert set(DOCUMENTDB_REGIONS) == published & set(REGIONS)
    assert "us-west-1" not in DOCUMENTDB_REGIONS and "us-west-1" in REGIONS
