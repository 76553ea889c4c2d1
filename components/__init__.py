"""Reusable UI pieces and figure builders: data in, Dash component or go.Figure out."""
