"""`flask --app app ...` commands: setup, db, demo, user, apikey."""
