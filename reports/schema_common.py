"""What every report query shares: the range arguments, their checks, and selection-aware figures."""

from functools import wraps

import graphene
from graphene.utils.str_converters import to_snake_case

from shared.dates import check_date_range, check_days
from shared.errors import DomainError, ErrorCode
from shared.graphql import enum_value, query_error, selected_fields

Granularity = graphene.Enum("Granularity", [("DAY", "DAY"), ("WEEK", "WEEK"), ("MONTH", "MONTH")])


def range_args(**extra):
    return {
        "date_from": graphene.Date(required=True),
        "date_to": graphene.Date(required=True),
        "location_id": graphene.ID(),
        **extra,
    }


REPORT_MAX_ROWS = 100  # the most rows `limit` may ask of a report list (topProducts, outstandingDebt, ...)


def check_arguments(date_from=None, date_to=None, granularity=None, limit=None, days=None, **_rest) -> None:
    check_date_range(date_from, date_to, granularity=enum_value(granularity) if granularity else None)
    check_days(days, field="days")
    if limit is not None and not 1 <= limit <= REPORT_MAX_ROWS:
        raise DomainError(
            ErrorCode.OUT_OF_RANGE,
            f"limit must be between 1 and {REPORT_MAX_ROWS}.",
            field="limit",
            params={"limit": REPORT_MAX_ROWS},
        )


def checked(resolver):
    """Refuse out-of-range dates, spans, limits and day counts with a coded error before any query."""

    @wraps(resolver)
    def resolve(root, info, **kwargs):
        try:
            check_arguments(**kwargs)
        except DomainError as exc:
            raise query_error(exc) from None
        return resolver(root, info, **kwargs)

    return resolve


def figures_asked(info) -> set[str]:
    """The report's figures the query selects (selector field names): only their statements run."""
    return {to_snake_case(name) for name in selected_fields(info)}
