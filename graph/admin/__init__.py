"""Administration: the `trellis` command line, migrations and the demo data."""
