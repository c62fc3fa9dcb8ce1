#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A bare `python manage.py ...` on a laptop (no DEBUG, no SECRET_KEY set) runs in development
    # mode with development secrets. Production sets SECRET_KEY, and serves through config/wsgi.py,
    # which has no such default and refuses to start without real secrets.
    if "DEBUG" not in os.environ and "SECRET_KEY" not in os.environ:
        os.environ["DEBUG"] = "1"
    # Commands are maintenance (migrate, imports, generate_data, check_ledgers over millions of rows):
    # they run without the web's statement and lock timeouts (config/settings.py). runserver serves
    # requests, so it keeps them.
    if len(sys.argv) > 1 and sys.argv[1] != "runserver":
        os.environ.setdefault("DB_MAINTENANCE_SESSION", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
