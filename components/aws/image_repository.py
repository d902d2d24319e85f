"""ImageRepository: the backend's ECR repository and its image, built and pushed from a context.

A stack whose backend image is published elsewhere (``backend.image``) has no repository: the
task runs that reference, with ECR pull rights only when it names an ECR repository."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

LIFECYCLE_POLICY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images after 7 days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                              "countUnit": "days", "countNumber": 7},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "Keep the 30 most recent images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                              "countNumber": 30},
                "action": {"type": "expire"},
            },
        ]
    }
)  # fmt: skip


ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<china>\.cn)?"
    r"/(?P<repository>[^:@]+)"
)
"""An ECR image reference: ``<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]``
(AWS docs, "Pushing an image": the registry URI format)."""


def ecr_repository_arn(image: str) -> str | None:
    """The ARN of the ECR repository an image reference points at; None for another registry."""
    found = ECR_IMAGE.match(image)
    if found is None:
        return None
    partition = "aws-cn" if found["china"] else "aws"
    return f"arn:{partition}:ecr:{found['region']}:{found['account']}:repository/{found['repository']}"


@dataclass(frozen=True, kw_only=True)
class ImageRepositoryArgs:
    context: str
    """Build context: the image is built for ``platform`` and pushed to the repository."""
    dockerfile: str | None
    platform: str
    protect: bool
    kms_key_arn: pulumi.Input[str] | None
    """The stack's KMS key (None: AWS's own keys, ``aws.encryptionKey: aws-owned``)."""


def context_digest(context: str) -> str:
    """A tag derived from the build context's files, so an unchanged context keeps its tag
    (the repository's tags are immutable)."""
    root = Path(context)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ImageRepository(pulumi.ComponentResource):
    """The backend image's home.

    Builds: an ECR repository with a lifecycle policy and the image built from the
    configured context with pulumi-docker (ARM64 by default), pushed under a tag derived
    from the context's contents.
    Secure defaults: scan on push, immutable tags, AES-256 encryption, lifecycle policy
    (ECR.1, ECR.2, ECR.3); protected when the stack protects data.
    Cost: $0.10 per GB-month stored (a few images: well under $1/month).
    """

    repository: aws.ecr.Repository
    image_ref: pulumi.Output[str]
    """What the task definition runs."""

    def __init__(self, name: str, args: ImageRepositoryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nowry:aws:ImageRepository", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.repository = aws.ecr.Repository(
            f"{name}-repo",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=args.kms_key_arn)
                if args.kms_key_arn is not None
                else aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")
            ],
            force_delete=not args.protect,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=self.repository.name,
            policy=LIFECYCLE_POLICY,
            opts=child,
        )
        self.tag = context_digest(args.context) if Path(args.context).is_dir() else "unbuilt"
        """The tag the image is pushed under (derived from the build context's files)."""
        self.image_ref = self._build(name, args, child)
        self.register_outputs({"repositoryUrl": self.repository.repository_url, "image": self.image_ref})

    def _build(self, name: str, args: ImageRepositoryArgs, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        import pulumi_docker as docker  # only stacks that build their image pay for loading it

        token = aws.ecr.get_authorization_token_output(registry_id=self.repository.registry_id)
        image = docker.Image(
            f"{name}-image",
            image_name=pulumi.Output.concat(self.repository.repository_url, ":", self.tag),
            build=docker.DockerBuildArgs(context=args.context, dockerfile=args.dockerfile, platform=args.platform),
            registry=docker.RegistryArgs(
                server=self.repository.repository_url,
                username=token.user_name,
                password=pulumi.Output.secret(token.password),
            ),
            opts=child,
        )
        return image.repo_digest
