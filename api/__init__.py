"""JSON endpoints for machines and scripts. Authentication is done by the request guard."""
