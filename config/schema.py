"""The root GraphQL schema: every app contributes its Query and Mutation."""

import graphene

import accounts.schema

QUERIES = (accounts.schema.Query,)
MUTATIONS = (accounts.schema.Mutation,)


class Query(*QUERIES, graphene.ObjectType):
    pass


class Mutation(*MUTATIONS, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
