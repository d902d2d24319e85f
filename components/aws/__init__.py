"""Components of the aws phase, built from pulumi_aws resources (no remote awsx/eks)."""
