"""Railway as Pulumi resources: dynamic providers over Railway's GraphQL API.

Railway has no Pulumi provider, so these six resources implement create, read, update,
delete and diff themselves (``pulumi.dynamic``): a project, a service running an image, the
service's variables, a deployment of the service (started after every change of image or
variables, and waited for: ``pulumi up`` fails with Railway's reason when it fails), the
public ``*.up.railway.app`` domain, and the workspace's usage limit. Every call carries the API
token, which Pulumi keeps as a secret in state. A project or service deleted outside Pulumi reads as gone, so
``pulumi refresh`` drops it from state.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from infra.railway_api import RAILWAY_ENDPOINT, RailwayClient


def _client(props: dict[str, Any]) -> RailwayClient:
    return RailwayClient(token=props["token"], endpoint=props.get("endpoint") or RAILWAY_ENDPOINT)


def _connection(props: dict[str, Any]) -> dict[str, Any]:
    return {"token": props["token"], "endpoint": props.get("endpoint") or RAILWAY_ENDPOINT}


def _changed(olds: dict[str, Any], news: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    return [key for key in keys if olds.get(key) != news.get(key)]


class ProjectProvider(ResourceProvider):
    """A Railway project. A new name is an in-place rename."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        workspace = props.get("workspace_id") or None
        project_id, environment_id = _client(props).create_project(props["name"], workspace)
        return CreateResult(
            project_id,
            {**_connection(props), "name": props["name"], "workspace_id": workspace, "environment_id": environment_id},
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = _changed(olds, news, ("workspace_id",))  # a project cannot move between workspaces here
        changes = replaces + _changed(olds, news, ("name",))
        return DiffResult(changes=bool(changes), replaces=replaces, stables=["environment_id"])

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _client(news).rename_project(id_, news["name"])
        outs = {
            "name": news["name"],
            "workspace_id": news.get("workspace_id"),
            "environment_id": olds["environment_id"],
        }
        return UpdateResult({**_connection(news), **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project = _client(props).read_project(id_)
        if project is None:
            return ReadResult(None, {})  # gone: Pulumi drops it from state on refresh
        return ReadResult(id_, {**props, "name": project["name"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _client(props).delete_project(id_)


class ServiceProvider(ResourceProvider):
    """A service running an image. A new image is a settings update in place (the deployment
    resource then deploys it); a new project or name replaces the service."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        service_id = _client(props).create_service(props["project_id"], props["name"], props["image"])
        return CreateResult(service_id, self._outs(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = _changed(olds, news, ("project_id", "environment_id", "name"))
        changes = replaces + _changed(olds, news, ("image",))
        return DiffResult(changes=bool(changes), replaces=replaces, delete_before_replace=True)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _client(news).set_service_image(id_, news["environment_id"], news["image"])
        return UpdateResult(self._outs(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        service = _client(props).read_service(id_)
        if service is None:
            return ReadResult(None, {})
        return ReadResult(id_, {**props, "name": service["name"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _client(props).delete_service(id_)

    @staticmethod
    def _outs(props: dict[str, Any]) -> dict[str, Any]:
        keys = ("project_id", "environment_id", "name", "image")
        return {**_connection(props), **{key: props[key] for key in keys}}


def fingerprint(salt: str, value: str) -> str:
    """A keyed hash of a variable's value: state keeps this, never the value itself."""
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()


class VariablesProvider(ResourceProvider):
    """A service's variables. Values are never written to outputs: state keeps only their
    names and keyed hashes, enough to tell what changed. New or changed values are upserted
    in place, removed names deleted; a new service replaces the set."""

    SCOPE = ("project_id", "environment_id", "service_id")

    def create(self, props: dict[str, Any]) -> CreateResult:
        variables: dict[str, str] = props["variables"]
        _client(props).upsert_variables(*self._scope(props), variables)
        salt = secrets.token_hex(16)
        return CreateResult(f"{props['service_id']}-variables", self._outs(props, salt))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = _changed(olds, news, self.SCOPE)
        changed = self._changed_names(olds, news)
        return DiffResult(changes=bool(replaces or changed), replaces=replaces)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = _client(news)
        variables: dict[str, str] = news["variables"]
        changed = self._changed_names(olds, news)
        upserts = {name: variables[name] for name in changed if name in variables}
        if upserts:
            client.upsert_variables(*self._scope(news), upserts)
        for name in changed:
            if name not in variables:
                client.delete_variable(*self._scope(news), name)
        return UpdateResult(self._outs(news, olds["salt"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = _client(props).read_variables(*self._scope(props))
        salt = props["salt"]
        hashes = {name: fingerprint(salt, value) for name, value in live.items() if name in props.get("hashes", {})}
        return ReadResult(id_, {**props, "names": sorted(hashes), "hashes": hashes})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = _client(props)
        for name in props.get("names", []):
            client.delete_variable(*self._scope(props), name)

    def _scope(self, props: dict[str, Any]) -> tuple[str, str, str]:
        return props["project_id"], props["environment_id"], props["service_id"]

    def _outs(self, props: dict[str, Any], salt: str) -> dict[str, Any]:
        variables: dict[str, str] = props["variables"]
        hashes = {name: fingerprint(salt, value) for name, value in variables.items()}
        scope = {key: props[key] for key in self.SCOPE}
        return {
            **_connection(props),
            **scope,
            "names": sorted(variables),
            "hashes": hashes,
            "salt": salt,
        }

    @staticmethod
    def _changed_names(olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
        salt = olds.get("salt", "")
        old_hashes: dict[str, str] = olds.get("hashes", {})
        new_values: dict[str, str] = news.get("variables", {})
        names = set(old_hashes) | set(new_values)
        return sorted(
            name
            for name in names
            if name not in new_values
            or name not in old_hashes
            or not hmac.compare_digest(old_hashes[name], fingerprint(salt, new_values[name]))
        )


class DeploymentProvider(ResourceProvider):
    """A deployment of the service: started on create and whenever the image or a variable's
    value changes, then waited for until Railway reports it running (``SUCCESS``) or failed,
    within ``timeout_seconds``. Deleting it stops nothing (the service's lifetime is the
    service's); reading keeps the last deployment."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        deployment_id = self._deploy(props)
        return CreateResult(f"{props['service_id']}-deployment", self._outs(props, deployment_id))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = _changed(olds, news, ("service_id", "environment_id"))
        changes = replaces + _changed(olds, news, ("image", "variables_hashes"))
        return DiffResult(changes=bool(changes), replaces=replaces)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._outs(news, self._deploy(news)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        return None

    @staticmethod
    def _deploy(props: dict[str, Any]) -> str:
        client = _client(props)
        deployment_id = client.deploy(props["service_id"], props["environment_id"])
        client.wait_for_deployment(
            deployment_id,
            timeout=float(props.get("timeout_seconds") or 600),
            interval=float(props.get("interval") or 5),
        )
        return deployment_id

    @staticmethod
    def _outs(props: dict[str, Any], deployment_id: str) -> dict[str, Any]:
        keys = ("service_id", "environment_id", "image", "variables_hashes", "timeout_seconds", "interval")
        return {**_connection(props), **{key: props.get(key) for key in keys}, "deployment_id": deployment_id}


class DomainProvider(ResourceProvider):
    """The service's generated public domain. A new service replaces it."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _client(props)
        domain_id, domain = client.create_domain(props["service_id"], props["environment_id"])
        outs = {
            **_connection(props),
            "service_id": props["service_id"],
            "environment_id": props["environment_id"],
        }
        return CreateResult(domain_id, {**outs, "domain": domain})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = _changed(olds, news, ("service_id", "environment_id"))
        return DiffResult(changes=bool(replaces), replaces=replaces, stables=["domain"])

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _client(props).delete_domain(id_)


class UsageLimitProvider(ResourceProvider):
    """The usage limit of the billing customer a project's workspace belongs to (one per customer,
    so the id is the customer's). Deleting it removes the limit."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _client(props)
        customer = client.project_customer(props["project_id"])
        client.set_usage_limit(customer, props["soft_dollars"], props.get("hard_dollars"))
        return CreateResult(customer, self._outs(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = _changed(olds, news, ("project_id",))
        changes = replaces + _changed(olds, news, ("soft_dollars", "hard_dollars"))
        return DiffResult(changes=bool(changes), replaces=replaces)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _client(news).set_usage_limit(id_, news["soft_dollars"], news.get("hard_dollars"))
        return UpdateResult(self._outs(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _client(props).remove_usage_limit(id_)

    @staticmethod
    def _outs(props: dict[str, Any]) -> dict[str, Any]:
        return {**_connection(props), "project_id": props["project_id"], "soft_dollars": props["soft_dollars"],
                "hard_dollars": props.get("hard_dollars")}  # fmt: skip


# --- the resources programs declare ----------------------------------------------------------

_SECRET_OUTPUTS = ["token"]


class RailwayProject(Resource, module="railway", name="Project"):
    """A Railway project; ``environment_id`` is its production environment."""

    environment_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        project_name: pulumi.Input[str],
        token: pulumi.Input[str],
        workspace_id: str | None = None,
        endpoint: str = RAILWAY_ENDPOINT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": project_name,
            "workspace_id": workspace_id,
            "token": token,
            "endpoint": endpoint,
            "environment_id": None,
        }
        super().__init__(ProjectProvider(), name, props, _secret_token(opts))


class RailwayService(Resource, module="railway", name="Service"):
    """A Railway service deployed from a container image."""

    def __init__(
        self,
        name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        service_name: str,
        image: pulumi.Input[str],
        token: pulumi.Input[str],
        endpoint: str = RAILWAY_ENDPOINT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "project_id": project_id,
            "environment_id": environment_id,
            "name": service_name,
            "image": image,
            "token": token,
            "endpoint": endpoint,
        }
        super().__init__(ServiceProvider(), name, props, _secret_token(opts))


class RailwayVariables(Resource, module="railway", name="Variables"):
    """A Railway service's variables; values stay secret and out of state outputs."""

    names: pulumi.Output[list[str]]
    hashes: pulumi.Output[dict[str, str]]

    def __init__(
        self,
        name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        service_id: pulumi.Input[str],
        variables: Mapping[str, pulumi.Input[str]],
        token: pulumi.Input[str],
        endpoint: str = RAILWAY_ENDPOINT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "project_id": project_id,
            "environment_id": environment_id,
            "service_id": service_id,
            "variables": {key: pulumi.Output.secret(value) for key, value in variables.items()},
            "token": token,
            "endpoint": endpoint,
            "names": None,
            "hashes": None,
            "salt": None,
        }
        super().__init__(
            VariablesProvider(),
            name,
            props,
            pulumi.ResourceOptions.merge(
                _secret_token(opts), pulumi.ResourceOptions(additional_secret_outputs=["variables"])
            ),
        )


class RailwayDeployment(Resource, module="railway", name="Deployment"):
    """A deployment of a Railway service, redone when its image or variables change."""

    deployment_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        service_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        image: pulumi.Input[str],
        variables_hashes: pulumi.Input[Mapping[str, str]],
        timeout_seconds: int,
        token: pulumi.Input[str],
        endpoint: str = RAILWAY_ENDPOINT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "service_id": service_id,
            "environment_id": environment_id,
            "image": image,
            "variables_hashes": variables_hashes,
            "timeout_seconds": timeout_seconds,
            "interval": 5,
            "token": token,
            "endpoint": endpoint,
            "deployment_id": None,
        }
        super().__init__(DeploymentProvider(), name, props, _secret_token(opts))


class RailwayDomain(Resource, module="railway", name="Domain"):
    """The service's ``*.up.railway.app`` domain."""

    domain: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        service_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        token: pulumi.Input[str],
        endpoint: str = RAILWAY_ENDPOINT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "service_id": service_id,
            "environment_id": environment_id,
            "token": token,
            "endpoint": endpoint,
            "domain": None,
        }
        super().__init__(DomainProvider(), name, props, _secret_token(opts))


class RailwayUsageLimit(Resource, module="railway", name="UsageLimit"):
    """The workspace's monthly usage limit: an email at ``soft_dollars``; at ``hard_dollars`` (only
    when asked) Railway sleeps every service of the workspace (railwayapp/docs usage-limits.md)."""

    def __init__(
        self,
        name: str,
        *,
        project_id: pulumi.Input[str],
        soft_dollars: int,
        hard_dollars: int | None,
        token: pulumi.Input[str],
        endpoint: str = RAILWAY_ENDPOINT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"project_id": project_id, "soft_dollars": soft_dollars, "hard_dollars": hard_dollars,
                 "token": token, "endpoint": endpoint}  # fmt: skip
        super().__init__(UsageLimitProvider(), name, props, _secret_token(opts))


def _secret_token(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=_SECRET_OUTPUTS))
