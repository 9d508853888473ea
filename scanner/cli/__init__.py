"""The `scanner` command line (typer): one module per command group, each with `register(app)`."""
