"""Background execution: which Dash background-callback manager runs long jobs."""
