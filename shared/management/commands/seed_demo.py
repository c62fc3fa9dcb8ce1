"""Fill an empty database with a small, realistic demo shop. Safe to run twice."""

import importlib
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import User
from shared.roles import Role

# Each app that has demo data exposes `demo.seed(stdout)`; order follows the dependencies.
DEMO_MODULES = ["products.demo", "customers.demo", "sales.demo", "returns.demo"]

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
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue  # that app has no demo data yet
            with transaction.atomic():
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
