"""The Sở Nội vụ dashboard: Starlette routes and Jinja2 templates calling the same use-cases as chat and CLI."""
