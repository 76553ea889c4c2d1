"""The GB power markets Powerdesk trades, by their stored names, with display names."""

MARKET_NAMES = {"day_ahead": "Day-ahead", "intraday": "Intraday", "market_index": "Market index",
                "system_price": "System price", "system_buy_price": "System buy price"}
"""Stored market name -> label shown to people. Order is display order."""

MARKETS = tuple(MARKET_NAMES)

MARKET_DESCRIPTIONS = {
    "day_ahead": "GB day-ahead auction price, hourly (both half-hours of a clock hour share it) [£/MWh].",
    "intraday": "The seed battery task's half-hourly intraday price [£/MWh].",
    "market_index": "Elexon Market Index Data (APXMIDP), half-hourly; a different series from `intraday` [£/MWh].",
    "system_price": "Elexon system (imbalance) price, SSP, half-hourly [£/MWh].",
    "system_buy_price": "Elexon system buy price (SBP), stored only where it differs from SSP [£/MWh].",
}
