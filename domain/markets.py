"""The GB power markets Powerdesk trades, by their stored names, with display names."""

MARKET_NAMES = {"day_ahead": "Day-ahead", "intraday": "Intraday"}
"""Stored market name -> label shown to people. Order is display order."""

MARKETS = tuple(MARKET_NAMES)
