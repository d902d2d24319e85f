"""Components of the gcp phase, built from pulumi-gcp resources (the optional ``gcp`` extra).

Each module imports only the pulumi-gcp submodules it uses (``pulumi_gcp.compute``,
``pulumi_gcp.cloudrunv2``, ...): the package loads them lazily, and ``nowry-infra plan gcp`` pays for
nothing else."""
