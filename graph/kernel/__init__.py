"""The GraphQL kernel beneath both execution paths: global IDs, connections, relation fields,
selection reading, prefetch and paging, filters, typed errors and limits. It imports no domain
type and no resolver."""
