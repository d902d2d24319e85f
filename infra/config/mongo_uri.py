"""The parts of a MongoDB connection string that DMS needs for a MongoDB source endpoint.

DMS connects to one host of the replica set with a user name and password (its MongoDB source
endpoint: server name, port, authentication source; AWS DMS user guide, "Using MongoDB as a
source"), so the URI must be the standard form ``mongodb://user:password@host:port,.../db?...``.
An SRV URI (``mongodb+srv://``) names a DNS record, not a host DMS can connect to; Atlas shows
the standard form under Connect -> Drivers (an older driver version).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

STANDARD_FORM = "mongodb://user:password@host:27017,host2:27017/nowry?tls=true&authSource=admin"


@dataclass(frozen=True)
class MongoSource:
    username: str
    password: str
    host: str
    port: int
    database: str | None
    auth_source: str
    tls: bool


def parse_mongo_uri(text: str) -> MongoSource | str:
    """The URI's parts, or what is wrong with it (never quoting the URI: it holds a password)."""
    if text.startswith("mongodb+srv://"):
        return "is an SRV URI (mongodb+srv://), which DMS cannot connect to; give the standard form"
    if not text.startswith("mongodb://"):
        return "is not a mongodb:// URI"
    parts = urlsplit(text)
    credentials, _, hosts = parts.netloc.rpartition("@")
    username, _, password = credentials.partition(":")
    if not username or not password:
        return "has no user name and password (DMS authenticates with both)"
    first = hosts.split(",")[0]
    host, _, port_text = first.partition(":")
    if not host:
        return "names no host"
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        return "has a port that is not a number from 1 to 65535"
    query = parse_qs(parts.query)
    tls = (query.get("tls") or query.get("ssl") or ["false"])[0].lower() == "true"
    return MongoSource(
        username=unquote(username),
        password=unquote(password),
        host=host,
        port=int(port_text or 27017),
        database=parts.path.strip("/") or None,
        auth_source=(query.get("authSource") or ["admin"])[0],
        tls=tls,
    )


def offline_source(placeholder: str) -> MongoSource:
    """Stand-in parts for a source the offline engine cannot decrypt: recognisable, never real."""
    return MongoSource(username="offline", password=placeholder, host="offline-source.invalid", port=27017,
                       database=None, auth_source="admin", tls=True)  # fmt: skip
