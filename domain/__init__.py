"""Pure business rules: no Flask, Dash or SQLAlchemy imports here."""
