"""The review console: a Starlette app (`scanner.web.app.create_app`) served by `scanner serve`."""
