"""boto3 clients with retries configured, and AWS errors turned into one-line messages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

if TYPE_CHECKING:
    from botocore.config import Config


class RetryMode(StrEnum):
    """botocore's retry modes (its legacy mode retries less and is not offered)."""

    STANDARD = "standard"
    ADAPTIVE = "adaptive"


RETRY_MODES = tuple(mode.value for mode in RetryMode)


class AwsError(Exception):
    """An AWS call failed for a reason the user can act on; the message says which and why."""


def client_config(retry_mode: str = "standard", max_attempts: int = 5, timeout: float = 10.0) -> Config:
    """Retries with backoff (botocore's standard or adaptive mode) and bounded timeouts."""
    if retry_mode not in RETRY_MODES:
        raise ValueError(f"retry mode {retry_mode!r}; allowed: {', '.join(RETRY_MODES)}")
    from botocore.config import Config  # botocore's client machinery loads only when AWS is called

    return Config(
        retries={"mode": retry_mode, "max_attempts": max_attempts},
        connect_timeout=timeout,
        read_timeout=timeout,
    )


class Aws:
    """A region, an optional endpoint (an emulator in tests) and one client per service, each with
    bounded retries and timeouts."""

    def __init__(self, region: str, *, endpoint_url: str | None = None, retry_mode: str = "standard",
                 max_attempts: int | None = None, timeout: float = 10.0) -> None:  # fmt: skip
        self.region = region
        self.endpoint_url = endpoint_url or None
        """An explicit endpoint; None lets botocore read ``AWS_ENDPOINT_URL`` (and the per-service
        ``AWS_ENDPOINT_URL_<SERVICE>``) from the environment, as every AWS SDK does."""
        attempts = max_attempts or int(os.environ.get("AWS_MAX_ATTEMPTS") or 5)
        self._config = client_config(retry_mode, attempts, timeout)
        import boto3.session

        self._session = boto3.session.Session(region_name=region)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=self._config
            )
        return self._clients[service]


@contextmanager
def explained(action: str) -> Iterator[None]:
    """Re-raise AWS failures inside the block as ``AwsError`` with one readable line."""
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise AwsError(
            f"{action}: no AWS credentials found (set AWS_PROFILE, run `aws sso login`, or export "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
        ) from None
    except NoRegionError:
        raise AwsError(f"{action}: no region given (pass --region or set AWS_REGION)") from None
    except EndpointConnectionError as exc:
        raise AwsError(
            f"{action}: cannot reach {exc.kwargs.get('endpoint_url', 'AWS')} (is the region right?)"
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", str(exc))
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
            raise AwsError(f"{action}: access denied ({message})") from None
        if code in ("InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure", "SignatureDoesNotMatch"):
            raise AwsError(f"{action}: the AWS credentials were refused ({code}); wrong account or region?") from None
        raise AwsError(f"{action}: {code}: {message}") from None
    except BotoCoreError as exc:
        raise AwsError(f"{action}: {exc}") from None
