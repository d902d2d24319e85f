"""The shape of a row of the kinds table (``infra/tool/resource_kinds.py``): a resource type's facts,
and the role it plays in the architecture picture."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.tool.cost.pricers import Pricer
from infra.tool.offline_shapes import Shape
from infra.tool.replacements import ForcesReplacement


@dataclass(frozen=True)
class Role:
    """How a resource appears in the picture: one node per role."""

    key: str
    label: str
    icon: str
    """``module:Class`` of the diagrams package."""
    boundary: str
    boundary_when: tuple[str, str] | None = None
    """(dotted input, boundary): drawn in that boundary instead when the input is true (an ECS
    service whose tasks get public IPs sits in the public subnets)."""
    follows_region: bool = False
    """Drawn in a box of the region its ``region`` input names when that is not the stack's region
    (a second provider: the disaster-recovery region's backup vault and key, a replica key)."""
    counted: bool = True
    """False: drawn once whatever number of resources it gathers (a load balancer's forwarding rules)."""


CREATE_MINUTES_DEFAULT = 0.5
"""Most resources are created in seconds: an API call and a short wait."""


@dataclass(frozen=True)
class ResourceKind:
    type: str
    stateful: bool = False
    """Holds data or credentials: deleting or replacing one loses something."""
    free: bool = False
    """Costs nothing itself (its traffic or storage is priced elsewhere)."""
    priced_by: Pricer | None = None
    role: Role | None = None
    replaced_on: tuple[ForcesReplacement, ...] = ()
    """The inputs whose change makes the provider replace it, each with its source."""
    placeholder: Shape | None = None
    """The attributes the provider computes, as offline placeholders (beyond name and ARN)."""
    id_attribute: str | None = None
    """The computed attribute that is also its id (an S3 bucket's name)."""
    create_minutes: float = CREATE_MINUTES_DEFAULT
    """Typical minutes from create to available, for the deploy path's estimate (``infra/tool/deploy_path.py``)."""
    database: str | None = None
    """The MongoDB engine whose data it holds (mongo, atlas, documentdb), for migration runbooks; a
    generic type (a container) holds it only inside a stateful component."""
    cache: bool = False
    """It is the app's Redis cache: its data is disposable, a change of cache needs a warm-up only."""
    holds_data_when: Callable[[Mapping[str, Any]], bool] | None = None
    """For a type that is not stateful itself: its inputs say when one holds data all the same."""
    names: tuple[tuple[str, str], ...] = ()
    """(input, naming rule of ``infra/naming.py``) for each input that holds a physical name the
    program sets: the service refuses any other (auto-named inputs are Pulumi's)."""
    bridge: str | None = None
    """The input naming the drawn resource it configures: in the picture its dependencies count as
    that resource's (an ALB's listener, a secret's version, a platform's environment variables)."""
    junction: tuple[str, str] | None = None
    """Two role keys this undrawn resource joins, traffic or data flowing from the first to the
    second: both depend on it (the target group of the ALB's listener and the ECS service) or it
    depends on both (a log delivery, a backup plan's copy). One role twice: from the stack's region
    to the other one."""

    def replaced_inputs(self, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
        """The inputs whose change (old -> new) makes the provider replace this resource."""
        return tuple(sorted(r.input for r in self.replaced_on if r.forces(old.get(r.input), new.get(r.input))))
