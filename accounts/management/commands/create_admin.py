import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import User
from shared.errors import DomainError
from shared.roles import Role


class Command(BaseCommand):
    help = (
        "Create the first admin without prompts. The password comes from --password or the "
        "POS_ADMIN_PASSWORD environment variable. Does nothing if the user already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("POS_ADMIN_USERNAME", "admin"))
        parser.add_argument("--password", default=os.environ.get("POS_ADMIN_PASSWORD"))
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username, password, email, **options):
        if User.objects.filter(username__iexact=username).exists():
            self.stdout.write(f"User {username!r} already exists; nothing to do.")
            return
        if not password:
            raise CommandError("Give a password with --password or POS_ADMIN_PASSWORD.")
        try:
            services.create_user(username=username, password=password, role=Role.ADMIN, email=email)
        except DomainError as exc:
            raise CommandError("; ".join(e.message for e in exc.errors)) from None
        self.stdout.write(self.style.SUCCESS(f"Admin {username!r} created."))
