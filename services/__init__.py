"""Use cases: tie data_access to the pure rules (domain/, optimiser/). No Dash here."""
