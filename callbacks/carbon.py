"""Carbon page callbacks."""


def register(app) -> None:
    return None
