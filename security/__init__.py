"""Authentication and authorisation: passwords, API keys, the request guard, role checks."""
