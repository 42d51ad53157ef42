"""AI plumbing below the resolvers: embedders (text to vectors)."""
