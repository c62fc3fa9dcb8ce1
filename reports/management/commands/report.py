from django.core.management.base import BaseCommand, CommandError

from reports.tables import REPORTS, ReportError, build


class Command(BaseCommand):
    help = "Print a report as a table, e.g.: manage.py report sales-stats --from 2026-01-01 --to 2026-01-31"

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(REPORTS))
        parser.add_argument("--from", dest="from_", metavar="DATE")
        parser.add_argument("--to", metavar="DATE")
        parser.add_argument("--by", help="top-products: QUANTITY, REVENUE, PROFIT or FREQUENCY")
        parser.add_argument("--order", help="top-products: BEST or WORST")
        parser.add_argument("--limit", type=int)
        parser.add_argument("--days", type=int, help="dead-stock: days without a sale")
        parser.add_argument(
            "--granularity", help="revenue-by-period, purchases-by-supplier: DAY, WEEK or MONTH"
        )
        parser.add_argument("--group-by", help="shrinkage, stocktake-variances: PRODUCT, CATEGORY or REASON")

    def handle(self, *args, name, from_=None, **options):
        params = {
            "from": from_,
            **{
                k: v
                for k, v in options.items()
                if k in ("to", "by", "order", "limit", "days", "granularity", "group_by")
            },
        }
        try:
            table = build(name, {k: str(v) for k, v in params.items() if v is not None})
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        widths = [
            max(len(str(cell)) for cell in column) for column in zip(table.headers, *table.rows, strict=False)
        ]
        self.stdout.write(table.title)
        self.stdout.write("  ".join(h.ljust(w) for h, w in zip(table.headers, widths, strict=False)))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in table.rows:
            self.stdout.write(
                "  ".join(
                    cell.rjust(w) if _numeric(cell) else cell.ljust(w)
                    for cell, w in zip(row, widths, strict=False)
                )
            )


def _numeric(cell: str) -> bool:
    return cell.replace(".", "", 1).replace("-", "", 1).replace(" %", "").isdigit()
