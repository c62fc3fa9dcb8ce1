"""Fill an empty database with a small, realistic demo shop and its history. Safe to run twice."""

import importlib
import os
import random
import time
from collections import Counter
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import User
from shared.backdating import backdated, shop_time
from shared.dates import local_today
from shared.roles import Role

# Each app that has demo data exposes `demo.seed(stdout)` (the shop as it opened) and/or
# `demo.replay_day(day=, rng=)` (that day's documents, in a time band of its own so that rows are
# written in time order); order follows the dependencies and the time bands.
DEMO_MODULES = ["products.demo", "customers.demo", "sales.demo", "returns.demo"]
# Two and a half years of light history up to yesterday, so 2024 reports have real figures.
HISTORY_START = date(2024, 6, 1)
RANDOM_SEED = 20240601

DEMO_STAFF = [
    ("admin", Role.ADMIN),
    ("manager", Role.MANAGER),
    ("cashier", Role.CASHIER),
]


class Command(BaseCommand):
    help = "Create demo staff, catalogue, stock, customers and sales (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("POS_DEMO_PASSWORD", "pos-demo-2026"),
            help="Password for the demo accounts (admin, manager, cashier).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Allow demo accounts with a known password while DEBUG is off (benchmarks only).",
        )

    def handle(self, *args, password, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to create demo accounts with DEBUG off (use --allow-production).")
        with transaction.atomic():
            for username, role in DEMO_STAFF:
                if not User.objects.filter(username=username).exists():
                    services.create_user(
                        username=username, password=password, role=role, first_name=username.title()
                    )
                    self.stdout.write(f"  staff: {username} ({role.label})")
        modules = [module for name in DEMO_MODULES if (module := _demo_module(name))]
        history = _is_empty_shop()
        opened = shop_time(HISTORY_START, 7, 0) if history else None
        for module in modules:
            if hasattr(module, "seed"):
                with backdated(opened) if opened else transaction.atomic():
                    module.seed(self.stdout)
        if history:
            self._replay_history([m for m in modules if hasattr(m, "replay_day")])
        else:
            self.stdout.write("  history: skipped (the shop already has a catalogue or sales)")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _replay_history(self, modules) -> None:
        rng = random.Random(RANDOM_SEED)
        started = time.monotonic()
        totals: Counter[str] = Counter()
        month: Counter[str] = Counter()
        day, today = HISTORY_START, local_today()
        while day < today:
            with transaction.atomic():  # a month per commit: one fsync each, not one per document
                while True:
                    for module in modules:
                        month.update(module.replay_day(day=day, rng=rng))
                    day += timedelta(days=1)
                    if day.day == 1 or day == today:
                        break
            summary = ", ".join(f"{n} {what}" for what, n in sorted(month.items()) if n)
            self.stdout.write(f"  history {day - timedelta(days=1):%Y-%m}: {summary}")
            totals += month
            month = Counter()
        summary = ", ".join(f"{n} {what}" for what, n in sorted(totals.items()) if n)
        self.stdout.write(
            f"  history {HISTORY_START} to {today - timedelta(days=1)}: {summary} "
            f"({time.monotonic() - started:.0f} s)"
        )


def _demo_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None  # that app has no demo data yet


def _is_empty_shop() -> bool:
    """The history is replayed only into a shop with no catalogue and no sales yet (it needs the demo's)."""
    return not apps.get_model("products", "Product").objects.exists() and not (
        apps.get_model("sales", "Sale").objects.exists()
    )
