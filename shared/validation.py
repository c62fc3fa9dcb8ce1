"""Extra GraphQL validation rules for a public endpoint."""

from graphql import GraphQLError
from graphql.validation import ValidationRule


class MaxAliasesRule(ValidationRule):
    """Refuse documents with more than `max_aliases` aliased fields (alias-based amplification)."""

    max_aliases = 15

    @classmethod
    def limit(cls, max_aliases: int) -> type["MaxAliasesRule"]:
        return type("MaxAliasesRule", (cls,), {"max_aliases": max_aliases})

    def __init__(self, context):
        super().__init__(context)
        self.count = 0

    def enter_field(self, node, *_args):
        if node.alias is not None:
            self.count += 1
            if self.count == self.max_aliases + 1:
                self.report_error(GraphQLError(f"The query uses more than {self.max_aliases} aliases.", node))
