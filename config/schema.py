"""The root GraphQL schema: every app contributes its Query and Mutation."""

import graphene

import accounts.schema
import products.schema

QUERIES = (accounts.schema.Query, products.schema.Query)
MUTATIONS = (accounts.schema.Mutation, products.schema.Mutation)


class Query(*QUERIES, graphene.ObjectType):
    pass


class Mutation(*MUTATIONS, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
