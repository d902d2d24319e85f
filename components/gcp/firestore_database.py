"""FirestoreDatabase: Firestore with MongoDB compatibility, the gcp phase's opt-in database."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.firestore as firestore
import pulumi_gcp.projects as projects

from infra.naming import physical_name

DATA_USER = "roles/datastore.user"


@dataclass(frozen=True, kw_only=True)
class FirestoreDatabaseArgs:
    project: str
    region: str
    reader: pulumi.Input[str]
    """The IAM member (``serviceAccount:...``) of the backend."""
    protect: bool


class FirestoreDatabase(pulumi.ComponentResource):
    """A Firestore Enterprise database in MongoDB-compatible mode, and the backend's access to it.

    Builds: a ``firestore.Database`` (Enterprise edition, MongoDB-compatible data access, point-in-time
    recovery, in the stack's region), ``roles/datastore.user`` for the backend's service account, and the
    connection string: load-balanced, TLS, retryable writes off (all three required), authenticated
    with the service account's own identity (MONGODB-OIDC), so no password exists
    (cloud.google.com/firestore/mongodb-compatibility/docs/connect).
    Secure defaults: delete protection and Pulumi ``protect`` on production stacks; point-in-time
    recovery on.
    Cost: $0.05 per million read units, $0.26 per million write units, $0.00020 per GiB-hour stored
    (the free tier: 1 GiB, 50,000 reads and 40,000 writes a day).
    """

    database: firestore.Database
    uri: pulumi.Output[str]

    def __init__(self, name: str, args: FirestoreDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:gcp:FirestoreDatabase", name, None, opts)
        self.database = firestore.Database(
            f"{name}-firestore",
            name=physical_name("firestore-database", "nowry", pulumi.get_stack()),
            location_id=args.region,
            type="FIRESTORE_NATIVE",
            database_edition="ENTERPRISE",
            mongodb_compatible_data_access_mode="DATA_ACCESS_MODE_ENABLED",
            point_in_time_recovery_enablement="POINT_IN_TIME_RECOVERY_ENABLED",
            delete_protection_state="DELETE_PROTECTION_ENABLED" if args.protect else "DELETE_PROTECTION_DISABLED",
            deletion_policy="ABANDON" if args.protect else "DELETE",
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        projects.IAMMember(
            f"{name}-data-user",
            project=args.project,
            role=DATA_USER,
            member=args.reader,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.uri = pulumi.Output.secret(
            pulumi.Output.all(self.database.uid, self.database.name).apply(
                lambda parts: (
                    f"mongodb://{parts[0]}.{args.region}.firestore.goog:443/{parts[1]}?loadBalanced=true"
                    "&tls=true&retryWrites=false&authMechanism=MONGODB-OIDC"
                    "&authMechanismProperties=ENVIRONMENT:gcp,TOKEN_RESOURCE:FIRESTORE"
                )
            )
        )
        self.register_outputs({"uri": self.uri})
