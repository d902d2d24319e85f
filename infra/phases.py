"""The phase registry: every fact about a phase, in one entry per phase.

Config validation, the phase builders, the cost estimate, the advisor and ``migrate`` read a
phase's facts from here (the config takes its phase names from it). Adding a phase is this entry,
its builder module, its config keys and checks, a shipped stack for its price samples and its
documentation: docs/extending.md names each file, and tests/test_extending.py keeps it so.
Nothing here imports the config model, so the model can read the registry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PriceSample:
    """How the estimate of a phase (or of a variant of it) is planned: a shipped stack and
    the overrides that put it in the phase."""

    label: str
    stack: str
    overrides: tuple[str, ...] = ()
    original_estimate: str = "—"
    """The product's own first estimate, kept for comparison."""
    billed_apart: str | None = None
    """What the sample's bill leaves out, and who pays it (an existing cluster's nodes)."""


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    builder: str
    """Module with ``build(config) -> outputs``; imported only when the phase is planned."""
    summary: str
    database_engines: tuple[str, ...]
    """Database engines the phase can run; the first is its default."""
    atlas_tiers: tuple[str, ...] = ()
    """Atlas tiers the phase may run (one cluster, upgraded in place); the first is the default."""
    managed: bool = False
    """Frontend on Vercel, backend on Railway: needs the Railway token and provider credentials."""
    account_plan: str | None = None
    """The Vercel/Railway account plan the phase is priced for: hobby or pro."""
    always_cache: bool = False
    """The phase always runs a cache (Upstash in all-paid), whatever ``cache.enabled`` says."""
    runs_cache: bool = True
    """False where no cache can run (local)."""
    holds_data_of_record: bool = False
    """The stack holds the product's data: production (protected) unless its file says otherwise."""
    production_because: str | None = None
    """Why a stack of this phase is production (protected) unless its file says otherwise, although
    it holds no data of record; None: it is not, unless its file says so."""
    users_below: int | None = None
    """The product's decision matrix: the phase serves fewer users than this (None: no bound)."""
    prices: tuple[PriceSample, ...] = ()
    checks: tuple[str, ...] = ()
    """Modules whose ``check(config, ctx)`` validates what only this phase needs (after the
    config model and the checks every phase runs)."""
    alternative_to: str | None = None
    """Another phase serving the same users on another cloud: the decision matrix names that one, and
    ``recommend`` prices both side by side at the same usage."""
    extra: str | None = None
    """The optional dependencies (``pyproject.toml`` extra) its provider SDK comes from; planning the phase
    without them installed names the install command."""

    @property
    def default_engine(self) -> str:
        return self.database_engines[0]

    @property
    def default_atlas_tier(self) -> str | None:
        return self.atlas_tiers[0] if self.atlas_tiers else None

    @property
    def needs_external_database(self) -> bool:
        return self.default_engine == "external"


REGISTRY: tuple[PhaseSpec, ...] = (
    PhaseSpec(
        "local", "stacks.local", "Docker on the developer's machine", ("mongo",), runs_cache=False,
        prices=(PriceSample("local", "local", (), "free (your machine)"),), checks=("infra.config.local_checks",),
    ),
    PhaseSpec(
        "free-tier", "stacks.managed", "Vercel Hobby + Railway + MongoDB Atlas M0", ("atlas",), ("M0",),
        managed=True, account_plan="hobby", holds_data_of_record=True, users_below=100,
        prices=(PriceSample("free-tier", "dev", (), "~$0"),), checks=("infra.config.managed_checks",),
    ),
    PhaseSpec(
        "hybrid", "stacks.managed", "Vercel Hobby + Railway + Atlas M10 (or Flex)", ("atlas",), ("M10", "FLEX"),
        managed=True, account_plan="hobby", holds_data_of_record=True, users_below=1_000,
        prices=(
            PriceSample("hybrid", "dev", ("nowry:phase=hybrid",), "~$15"),
            PriceSample("hybrid (Atlas Flex)", "dev", ("nowry:phase=hybrid", "nowry:atlas.tier=FLEX"), "~$15"),
        ),
        checks=("infra.config.managed_checks",),
    ),
    PhaseSpec(
        "all-paid", "stacks.managed", "Vercel Pro + Railway Pro + Atlas M10 + Upstash Redis", ("atlas",), ("M10",),
        managed=True, account_plan="pro", always_cache=True, holds_data_of_record=True, users_below=10_000,
        prices=(PriceSample("all-paid", "dev", ("nowry:phase=all-paid",), "~$50"),),
        checks=("infra.config.managed_checks",),
    ),
    PhaseSpec(
        "aws", "stacks.aws", "S3 + CloudFront, ECS Fargate behind an ALB, ElastiCache, DocumentDB",
        ("documentdb", "atlas"), ("M20",), holds_data_of_record=True, users_below=50_000,
        prices=(PriceSample("aws", "prod", (), "$150-300"),), checks=("infra.config.aws_checks",),
    ),
    PhaseSpec(
        "gcp", "stacks.gcp",
        "Cloud Storage + Cloud CDN and Cloud Run behind one global load balancer (Cloud Armor), Memorystore, "
        "Atlas on Google Cloud",
        ("atlas", "firestore"), ("M10", "M20"), holds_data_of_record=True, users_below=50_000, alternative_to="aws",
        extra="gcp",
        prices=(
            PriceSample("gcp", "gcp", (), "—"),
            PriceSample("gcp (instance-based Cloud Run)", "gcp", ("nowry:gcp.billing=instance",)),
            PriceSample("gcp (Firestore)", "gcp", ("nowry:database.engine=firestore",)),
        ),
        checks=("infra.config.gcp_checks",),
    ),
    PhaseSpec(
        "kubernetes", "stacks.kubernetes", "Deployments, HPA and Ingress on a Kubernetes cluster", ("external",),
        production_because=(
            "serves the most users (50K+), and what it keeps is theirs to lose: the app's generated signing key "
            "(SECRET_KEY) and, on EKS, the KMS key without which the cluster's Secrets cannot be read"
        ),
        prices=(
            PriceSample(
                "kubernetes", "k8s", (), "—", "the existing cluster's nodes and control plane: its owner's bill"
            ),
            PriceSample(
                "kubernetes (own EKS cluster)", "k8s", ("nowry:kubernetes.cluster=eks", "nowry:aws.nat=single")
            ),
        ),
        checks=("infra.config.kubernetes_checks",),
    ),
)  # fmt: skip
"""Every phase, in the order the product grows through them."""

PHASE_SPECS: dict[str, PhaseSpec] = {spec.name: spec for spec in REGISTRY}
PHASE_NAMES: tuple[str, ...] = tuple(PHASE_SPECS)


def spec(phase: str) -> PhaseSpec:
    """The registry entry of ``phase`` (a validated phase name)."""
    return PHASE_SPECS[phase]


def phases_where(predicate: str) -> tuple[str, ...]:
    """The names of the phases whose spec has the boolean attribute ``predicate`` set."""
    return tuple(p.name for p in REGISTRY if getattr(p, predicate))


def phase_for_users(users: int) -> str:
    """The phase the product's decision matrix gives for ``users`` (never an alternative on another
    cloud: ``alternatives`` names those)."""
    for phase in REGISTRY:
        if phase.alternative_to is None and phase.users_below is not None and users < phase.users_below:
            return phase.name
    return REGISTRY[-1].name


def alternatives(phase: str) -> tuple[str, ...]:
    """The phases that serve the same users as ``phase`` on another cloud (aws: gcp)."""
    return tuple(p.name for p in REGISTRY if p.alternative_to == phase)
