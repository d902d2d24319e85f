"""The newest completed recovery point in a backup vault (boto3: AWS Backup)."""

from __future__ import annotations

from typing import Any

from infra.aws_client import Aws, AwsError, explained


def latest_recovery_point(aws: Aws, vault: str) -> dict[str, Any]:
    """The vault's newest COMPLETED recovery point (its ARN restores the DocumentDB cluster)."""
    client = aws.client("backup")
    points: list[dict[str, Any]] = []
    token: str | None = None
    with explained(f"listing the recovery points of {vault}"):
        while True:
            page = client.list_recovery_points_by_backup_vault(
                BackupVaultName=vault, **({"NextToken": token} if token else {})
            )
            points += [p for p in page.get("RecoveryPoints", []) if p.get("Status") == "COMPLETED"]
            token = page.get("NextToken")
            if not token:
                break
    if not points:
        raise AwsError(f"no completed recovery point in {vault} ({aws.region}): has a backup been copied yet?")
    return max(points, key=lambda p: p["CreationDate"])
