import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import the URLconf (and with it the GraphQL schema) now rather than on the first request: with
# gunicorn --preload the master does it once and every worker, recycled ones too, starts warm.
from django.urls import get_resolver  # noqa: E402

_url_patterns = get_resolver().url_patterns

# Everything imported so far lives as long as the process: move it out of the garbage collector's
# reach, so full collections stay short (they were the p99 spikes of { __typename } in bench/) and,
# under --preload, the workers' copy-on-write pages stay shared.
import gc  # noqa: E402

gc.freeze()
