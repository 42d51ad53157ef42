"""The HTTP and WebSocket server: the ASGI app, middleware, the compiled fast lane, GraphiQL."""
