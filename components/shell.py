"""The app shell: navbar (pages the user's role may open, theme switch, logout) around the page."""

from __future__ import annotations

from dataclasses import dataclass

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from components import ids
from domain.roles import role_allows


@dataclass(frozen=True)
class NavItem:
    name: str
    path: str
    slug: str


def nav_items_for(pages: list[dict], role: str) -> list[NavItem]:
    """Pages that ``role`` may open, in ``nav_order``."""
    allowed = [page for page in pages if role_allows(role, page.get("min_role", "viewer")) and page.get("in_nav", True)]
    allowed.sort(key=lambda page: page.get("nav_order", 100))
    return [NavItem(page["name"], page["path"], page["path"].strip("/").replace("/", "-") or "overview")
            for page in allowed]


def build_navbar(items: list[NavItem], username: str, role: str, csrf_token: str) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(item.name, href=item.path, active="exact", id=f"{ids.NAV_LINK_PREFIX}{item.slug}"))
        for item in items
    ]
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
            dbc.Button("Log out", id=ids.LOGOUT_BUTTON, type="submit", color="secondary", outline=True, size="sm"),
        ],
        action="/logout",
        method="POST",
        className="d-flex",
    )
    right = html.Div(
        [
            dbc.Switch(id=ids.THEME_SWITCH, label="Dark", value=False, className="mb-0 me-3"),
            html.Span([html.Span(username, className="fw-semibold"), f" · {role}"], id=ids.USER_BADGE,
                      className="text-body-secondary small me-3"),
            logout,
        ],
        className="d-flex align-items-center ms-auto",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("⚡ Powerdesk", href="/", className="fw-bold"),
                dbc.NavbarToggler(id="navbar-toggler"),
                dbc.Collapse([dbc.Nav(links, navbar=True), right], id="navbar-collapse", navbar=True,
                             is_open=False),
            ],
            fluid=True,
        ),
        color="body-tertiary",
        dark=False,  # Bootstrap 5.3 colour modes set the text colour; navbar-dark would force light text
        className="pd-navbar border-bottom mb-2",
    )


def build_shell(navbar, page) -> html.Div:
    return html.Div(
        [dcc.Store(id=ids.THEME_STORE, storage_type="local"), navbar, dbc.Container(page, fluid=True, className="py-2")]
    )


def app_shell() -> html.Div:
    """Layout function: called for every ``/_dash-layout`` request, so it sees the logged-in user.

    Dash also calls it once while setting up on the first request, which may be anonymous
    (``/health``); then it shows no pages. Anonymous users never get the layout itself: the
    request guard answers ``/_dash-layout`` with 401 first.
    """
    if not current_user.is_authenticated:
        return build_shell(build_navbar([], "", "", ""), dash.page_container)
    items = nav_items_for(list(dash.page_registry.values()), current_user.role)
    navbar = build_navbar(items, current_user.username, current_user.role, generate_csrf())
    return build_shell(navbar, dash.page_container)
