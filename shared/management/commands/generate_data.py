"""Build a realistic shop in bulk for benchmarks: see bench/README.md and bench/generator.py."""

from django.core.management.base import BaseCommand, CommandError

from bench.generator import Options, ShopGenerator


class Command(BaseCommand):
    help = (
        "Generate categories, suppliers, two locations, batch-tracked products, retail and wholesale "
        "customers with credit, and --days of sales (split tender, credit, returns, voids) with their "
        "stock movements and ledger entries, written in bulk. The result satisfies check_ledgers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=1000)
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--sales-per-day", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--void-rate", type=float, default=0.005)
        parser.add_argument("--return-rate", type=float, default=0.01)

    def handle(self, *args, **opts):
        if opts["products"] < 1 or opts["days"] < 1 or opts["sales_per_day"] < 0 or opts["customers"] < 0:
            raise CommandError("--products and --days must be at least 1; counts cannot be negative.")
        options = Options(
            products=opts["products"],
            customers=opts["customers"],
            days=opts["days"],
            sales_per_day=opts["sales_per_day"],
            seed=opts["seed"],
            void_rate=opts["void_rate"],
            return_rate=opts["return_rate"],
        )
        stats = ShopGenerator(options, stdout=self.stdout).run()
        summary = ", ".join(
            f"{key}={value:,}" if isinstance(value, int) else f"{key}={value}"
            for key, value in sorted(stats.items())
        )
        self.stdout.write(self.style.SUCCESS(f"Generated: {summary}"))
