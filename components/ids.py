"""Ids of components that live in the app shell (shared by every page)."""

THEME_STORE = "theme-store"
THEME_SWITCH = "theme-switch"
LOGOUT_BUTTON = "logout-button"
USER_BADGE = "user-badge"
NAV_LINK_PREFIX = "nav-"
