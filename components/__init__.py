"""The Dash user interface: one module per panel, each owning its ids, layout and callbacks.

Figure builders are pure functions of aggregated frames and return plotly figure dicts.
"""
