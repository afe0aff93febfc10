"""The web server behind ``newsdesk serve``: access checks, reader sessions, the page and its assets."""
