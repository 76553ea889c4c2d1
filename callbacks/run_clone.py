"""Clone / re-run: fill the New run form with a stored run's parameters, from the open run's "New run from
this one" button or from the "New run from this" cell of any row in the runs grid. Nothing is queued: the
trader changes what they want and presses Run optimisation."""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from callbacks.context import database
from components.feedback import error_alert, info_alert
from domain.roles import role_allows
from security.authz import current_role
from services.errors import NotFound
from services.run_clone import run_parameters

CLONE_COLUMN = "clone"
"""The runs grid's column whose cell fills the form from its row's run."""

SCROLL_TO_FORM_JS = """
function(filled) {
    if (!filled) { return window.dash_clientside.no_update; }
    const form = document.getElementById('runs-new-section');
    if (form) { form.scrollIntoView({block: 'start'}); }
    return window.dash_clientside.no_update;
}
"""


def form_values(parameters: dict) -> dict[str, object]:
    """Request field values (fractions) -> New run form component id -> value (% where the form takes %)."""
    from components import run_form as form

    values: dict[str, object] = {form.NEW_START: parameters["first_date"], form.NEW_END: parameters["last_date"],
                                 form.NEW_NAME: parameters.get("name") or "",
                                 form.NEW_BINARY: bool(parameters.get("always_binary"))}
    for field in form.NUMBER_FIELDS:
        value = parameters.get(field.key)
        if field.percent and isinstance(value, int | float):
            value = float(f"{value * 100:.10g}")
        values[field.component_id] = value
    for component_id, key in form.CHOICE_FIELDS:
        values[component_id] = parameters.get(key)
    return values


def _clicked_run(cell) -> int | None:
    if not isinstance(cell, dict) or cell.get("colId") != CLONE_COLUMN:
        return None
    try:
        return int(str(cell.get("rowId")))
    except ValueError:
        return None


def register(app: dash.Dash) -> None:
    from components import run_form as form
    from pages import runs as page

    targets = [form.NEW_START, form.NEW_END, form.NEW_NAME, form.NEW_BINARY,
               *[f.component_id for f in form.NUMBER_FIELDS], *[c for c, _k in form.CHOICE_FIELDS]]

    # Not role-restricted: a click on any grid cell fires it, for viewers too (whose form is hidden); for them it
    # does nothing. Queueing a run is what needs the trader role, and that callback checks it.
    @app.callback(
        *[Output(c, "value", allow_duplicate=True) for c in targets],
        Output(form.NEW_MESSAGE, "children", allow_duplicate=True),
        Output(page.CLONED, "data"),
        Input(page.CLONE_BUTTON, "n_clicks"),
        Input(page.TABLE, "cellClicked"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def fill_form_from_run(_clicks, cell, shown):
        if not role_allows(current_role(), "trader"):
            raise PreventUpdate
        run_id = _clicked_run(cell) if ctx.triggered_id == page.TABLE else shown
        keep = (dash.no_update,) * len(targets)
        if run_id is None:
            return *keep, dash.no_update, dash.no_update
        try:
            values = form_values(run_parameters(database(), int(run_id)))
        except NotFound as error:
            return *keep, error_alert(f"{str(error).capitalize()}; the form was not changed."), dash.no_update
        note = info_alert(f"The form now holds the parameters of run #{run_id}. Change what you want to try "
                          "and press Run optimisation; the same parameters on the same prices reopen that run.")
        return *[values[c] for c in targets], note, run_id

    app.clientside_callback(SCROLL_TO_FORM_JS, Output(page.CLONE_SCROLLED, "data"), Input(page.CLONED, "data"))
