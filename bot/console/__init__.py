"""The console channel: runs with no token and no network; messages appear in the terminal."""
