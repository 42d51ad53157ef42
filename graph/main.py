"""`uvicorn graph.main:app`: the application with settings from the environment."""

from graph.app import create_app

app = create_app()
