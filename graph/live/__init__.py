"""Live streams: the change hub, design-project presence and the LISTEN connection they share."""
