"""Loaded with `-p config.pytest_env` before Django: real (DEBUG off) settings with throw-away secrets."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("JWT_SECRET", "test-jwt-secret-not-for-production-fedcba9876543210")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests render templates without running collectstatic first, so no manifest of hashed names exists;
# the tests of static files switch the hashed storage on themselves.
os.environ.setdefault("STATIC_HASHED_NAMES", "false")
