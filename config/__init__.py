"""POS Server's project package: settings, URLs, the root schema and the WSGI entry point."""

# The one place the version is written; the landing page at / shows it.
__version__ = "1.0.0"
