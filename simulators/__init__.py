"""Simulators of outside systems that talk to Powerdesk over HTTP (turbines)."""
