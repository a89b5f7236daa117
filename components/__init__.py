"""The Dash user interface: one module per panel, each owning its ids, layout and callbacks.

Figure builders are pure functions of an aggregate (its columns as hotline.Dataset.columns gives
them, or a DataFrame) and return plotly figure dicts.
"""
