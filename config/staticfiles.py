"""The static files storage of production: WhiteNoise's compressed, content-hashed files."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in (p if isinstance(p, str) else p[0])))
        for extension, rules in patterns
    )


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names and gzip copies, leaving `sourceMappingURL` comments alone.

    The vendored GraphiQL files name source maps we do not ship (3.9 MB). Rewriting those comments
    would make collectstatic fail on the missing maps and would change the files, which must stay
    byte-identical to the npm release (their SRI hashes are checked in the template).
    """

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
