"""Light/dark colour mode: the switch, the stored choice and the document attributes stay in step."""

from __future__ import annotations

import dash
from dash import Input, Output

from components import ids

_SYNC_THEME = """
function (switchDark, stored) {
    const triggered = (dash_clientside.callback_context.triggered || []).map(t => t.prop_id);
    const fromSwitch = triggered.includes("__SWITCH__.value");
    const theme = fromSwitch ? (switchDark ? "dark" : "light") : (stored === "dark" ? "dark" : "light");
    document.documentElement.setAttribute("data-bs-theme", theme);
    document.body.dataset.agThemeMode = theme;
    return [theme, theme === "dark"];
}
""".replace("__SWITCH__", ids.THEME_SWITCH)


def register(app: dash.Dash) -> None:
    app.clientside_callback(
        _SYNC_THEME,
        Output(ids.THEME_STORE, "data"),
        Output(ids.THEME_SWITCH, "value"),
        Input(ids.THEME_SWITCH, "value"),
        Input(ids.THEME_STORE, "data"),
    )
    app.clientside_callback(
        "function (n, isOpen) { return n ? !isOpen : isOpen; }",
        Output("navbar-collapse", "is_open"),
        Input("navbar-toggler", "n_clicks"),
        dash.State("navbar-collapse", "is_open"),
        prevent_initial_call=True,
    )
