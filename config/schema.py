"""The root GraphQL schema: every app contributes its Query and Mutation."""

import graphene

import accounts.schema
import customers.schema
import offline.schema
import offline.sync_schema
import products.schema
import purchasing.schema
import reports.schema
import returns.schema
import sales.schema
import tills.schema
from shared.graphql import harden_arguments

QUERIES = (
    accounts.schema.Query,
    products.schema.Query,
    customers.schema.Query,
    sales.schema.Query,
    returns.schema.Query,
    tills.schema.Query,
    reports.schema.Query,
    purchasing.schema.Query,
    offline.schema.Query,
    offline.sync_schema.Query,
)
MUTATIONS = (
    accounts.schema.Mutation,
    products.schema.Mutation,
    customers.schema.Mutation,
    sales.schema.Mutation,
    returns.schema.Mutation,
    tills.schema.Mutation,
    purchasing.schema.Mutation,
    offline.schema.Mutation,
    offline.sync_schema.Mutation,
)


class Query(*QUERIES, graphene.ObjectType):
    pass


class Mutation(*MUTATIONS, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
harden_arguments(schema.graphql_schema)
