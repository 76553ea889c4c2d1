"""Build ``/_dash-update-component`` requests the way the Dash renderer does."""

from __future__ import annotations


def split_outputs(key: str) -> list[dict]:
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    return [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]


def callback_body(dash_app, key: str, values: dict | None = None, triggered: str | None = None) -> dict:
    """A request for callback ``key``; ``values`` maps ``"id.prop"`` to a value (others None)."""
    values = values or {}
    spec = dash_app.callback_map[key]

    def props(deps):
        return [{"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}
                for d in deps]

    inputs = props(spec["inputs"])
    outputs = split_outputs(key)
    changed = triggered or (f"{inputs[0]['id']}.{inputs[0]['property']}" if inputs else None)
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": props(spec.get("state", [])),
        "changedPropIds": [changed] if changed else [],
    }


def find_callback(dash_app, output: str) -> str:
    """The callback-map key whose outputs include ``output`` (``"id.prop"``)."""
    for key in dash_app.callback_map:
        if output in [f"{o['id']}.{o['property']}" for o in split_outputs(key)]:
            return key
    raise KeyError(output)


def fire(client, dash_app, output: str, values: dict | None = None, triggered: str | None = None):
    key = find_callback(dash_app, output)
    return client.post("/_dash-update-component", json=callback_body(dash_app, key, values, triggered))


def find_callback_by_input(dash_app, input_: str) -> str:
    """The one callback-map key that has ``input_`` (``"id.prop"``) among its inputs."""
    keys = [key for key, spec in dash_app.callback_map.items()
            if input_ in [f"{d['id']}.{d['property']}" for d in spec["inputs"]]]
    if len(keys) != 1:
        raise KeyError(f"{len(keys)} callbacks take {input_}")
    return keys[0]
