"""One table of resource kinds, read by the policy, the estimate, the picture and migrate."""

from __future__ import annotations

from infra.tool.resource_kinds import (
    KINDS,
    STATEFUL_TYPES,
    component_role,
    is_stateful,
    is_stateful_urn,
    kind,
    owner,
    role,
)
from tests.conftest import shipped_plan


def test_the_readers_share_the_table():
    docdb = "urn:pulumi:prod::nowry::nowry:aws:DocumentDatabase$aws:docdb/cluster:Cluster::database-cluster"
    assert is_stateful_urn(docdb)  # what the policy's protection rule reads
    assert "aws:docdb/cluster:Cluster" in STATEFUL_TYPES and kind("aws:ec2/vpc:Vpc").free
    assert kind("no:such/type:Type").role is None and not kind("no:such/type:Type").stateful


def test_roles_of_containers_come_from_their_component_not_their_name():
    parent = "urn:pulumi:s::nowry::nowry:docker:AppContainer::backend"
    assert owner(parent) == ("nowry:docker:AppContainer", "backend")
    role = component_role("docker:index/container:Container", parent)
    assert role is not None and role.key == "api"
    assert component_role("docker:index/remoteImage:RemoteImage", parent) is None  # only the container is drawn
    database = "urn:pulumi:s::nowry::nowry:docker:MongoDatabase::anything-at-all"
    db_role = component_role("docker:index/container:Container", database)
    assert db_role is not None and db_role.key == "db"
    assert is_stateful("docker:index/container:Container", database)
    assert not is_stateful("docker:index/container:Container", parent)


def test_a_bucket_is_drawn_by_the_component_that_owns_it_not_by_its_name():
    logs = role("aws:s3/bucket:Bucket", "urn:pulumi:s::nowry::nowry:aws:LogBucket::whatever")
    site = role("aws:s3/bucket:Bucket", "urn:pulumi:s::nowry::nowry:aws:StaticSite::logs")
    assert logs is not None and logs.key == "logs"
    assert site is not None and site.key == "site"  # named "logs", but the site's bucket


def test_every_drawn_or_stateful_type_of_the_shipped_stacks_is_in_the_table():
    types = {r.type for stack in ("local", "dev", "prod", "k8s") for r in shipped_plan(stack).resources if r.custom}
    for type_ in ("aws:s3/bucket:Bucket", "mongodbatlas:index/advancedCluster:AdvancedCluster",
                  "pulumi-python:dynamic/railway:Service", "aws:ecs/service:Service"):  # fmt: skip
        assert type_ in types and type_ in KINDS


def test_a_type_is_described_in_one_row_not_in_the_column_modules():
    """Replacement rules, offline shapes and pricing functions name no type token themselves:
    the kinds table says which type each belongs to."""
    from pathlib import Path

    import infra.tool.cost.pricers
    import infra.tool.offline_shapes
    import infra.tool.replacements

    for module in (infra.tool.replacements, infra.tool.offline_shapes):
        text = Path(str(module.__file__)).read_text()
        assert "aws:" not in text.replace("arn:aws:", "") and "mongodbatlas:" not in text, module.__name__
    row = kind("aws:docdb/cluster:Cluster")
    assert row.priced_by is infra.tool.cost.pricers.docdb_cluster
    assert row.placeholder is infra.tool.offline_shapes.docdb_cluster
    assert row.replaced_on is infra.tool.replacements.DOCDB_CLUSTER
    assert row.replaced_inputs({"masterUsername": "a"}, {"masterUsername": "b"}) == ("masterUsername",)


def test_a_free_package_makes_an_unlisted_type_free_but_nothing_else():
    assert kind("kubernetes:core/v1:ConfigMap").free and not kind("kubernetes:core/v1:ConfigMap").stateful
    assert not kind("aws:ec2/instance:Instance").free  # not listed, not free: the estimate says "not priced"


def test_a_transient_components_copies_are_not_data_a_stateful_components_resources_are():
    migration = "urn:pulumi:prod::nowry::nowry:aws:DataMigration$aws:secretsmanager/secret:Secret::migration-creds"
    app = "urn:pulumi:prod::nowry::nowry:aws:AppSecrets$aws:secretsmanager/secret:Secret::secrets-mongo-uri"
    volume_less = "urn:pulumi:local::nowry::nowry:docker:MongoDatabase$docker:index/container:Container::db"
    assert not is_stateful_urn(migration) and is_stateful_urn(app) and is_stateful_urn(volume_less)
    assert not is_stateful("aws:secretsmanager/secret:Secret", migration.rsplit("$", 1)[0] + "::migration")


def test_a_type_token_is_named_by_the_kinds_table_and_at_most_one_reader_besides_the_rules():
    """One fact, one place: a resource type's facts are columns of its row; a module that still has
    to name a type (the DR vault, the Helm release the manifests render) is its one other reader."""
    import re
    from collections import defaultdict

    from tests.conftest import PROJECT_DIR

    packages = "aws|mongodbatlas|docker|kubernetes|vercel|upstash|random|pulumi-python|gcp"
    token = re.compile(rf'"((?:{packages}):[\w./-]+:\w+)"')
    readers: dict[str, set[str]] = defaultdict(set)
    for top in ("infra", "stacks", "components", "policy"):
        for path in (PROJECT_DIR / top).rglob("*.py"):
            where = str(path.relative_to(PROJECT_DIR))
            if where == "infra/tool/resource_kinds.py" or where.startswith("infra/tool/rules/"):
                continue
            for found in token.findall(path.read_text()):
                readers[found].add(where)
    assert {t: sorted(r) for t, r in readers.items() if len(r) > 1} == {}
    assert {t for t in readers if t.count("/") and t not in KINDS and "/get" not in t} == set()
