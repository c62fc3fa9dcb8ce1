"""Loaded with `-p config.pytest_env` before Django: real (DEBUG off) settings with throw-away secrets."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("JWT_SECRET", "test-jwt-secret-not-for-production-fedcba9876543210")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests render templates without running collectstatic first, so no manifest of hashed names exists;
# the tests of static files switch the hashed storage on themselves. STATIC_ROOT: an empty folder that
# exists, so that WhiteNoise does not warn "No directory at ..." on every request of a fresh clone.
os.environ.setdefault("STATIC_HASHED_NAMES", "false")
if "STATIC_ROOT" not in os.environ:
    os.environ["STATIC_ROOT"] = os.path.join(tempfile.gettempdir(), "pos-test-static-root")
    os.makedirs(os.environ["STATIC_ROOT"], exist_ok=True)
