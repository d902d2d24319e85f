"""Each shipped stack's and each phase's estimated monthly bill beside the product's
original estimates (~$0, ~$15, ~$50, $150-300), from the price catalog and default usage.

Run: python benchmarks/cost_table.py
"""

from __future__ import annotations

from pathlib import Path

from infra.phases import REGISTRY
from infra.tool.cost.estimate import estimate
from infra.tool.cost.phase_bills import phase_bills
from infra.tool.engine.runner import plan_stack

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    print(f"{'stack':<10} {'phase':<11} {'USD/month':>10}")
    for path in sorted(PROJECT_DIR.glob("Pulumi.*.yaml")):
        stack = path.name[len("Pulumi.") : -len(".yaml")]
        try:
            plan = plan_stack(PROJECT_DIR, stack)
        except Exception as exc:
            print(f"{stack:<10} {'-':<11} {'-':>10}  not planned: {str(exc).splitlines()[0]}")
            continue
        print(f"{stack:<10} {plan.phase:<11} {estimate(plan).total:>10.2f}")
    print()
    samples = [sample for phase in REGISTRY for sample in phase.prices]
    width = max(len("phase"), *(len(sample.label) for sample in samples))
    print(f"{'phase':<{width}} {'estimate':>10}  {'original':<19} from")
    bills = phase_bills(PROJECT_DIR)
    for sample in samples:
        shown = f"{bills[sample.label]:.2f}"
        source = " ".join([sample.stack, *(f"--set {o}" for o in sample.overrides)])
        print(f"{sample.label:<{width}} {shown:>10}  {sample.original_estimate:<19} {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
