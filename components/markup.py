"""Static blocks of markup (the numbers table, the KPI cards, a chart's table) as one Dash component each.

Dash's renderer gives every component it receives a store subscription, and each component it mounts
dispatches an action that every subscription then re-reads: a callback answer with N new components
costs N x (all the page's components). Sent as html.* components, the numbers table (280 of them) made
each click take half a second in the browser. Here a block is one component, `hotline_markup.Markup`
(assets/markup.js), whose `tree` prop holds the elements as JsonML: ["tag", {attributes}, child, ...].
The page gets the same DOM for one mount.

The tree is data, never code or raw HTML: React escapes every text, and only the tags and attributes
below are drawn (the script keeps the same lists, and this module refuses anything else).
"""

from __future__ import annotations

NAMESPACE = "hotline_markup"  # window.hotline_markup in assets/markup.js
TAGS = frozenset({"div", "span", "p", "strong", "table", "caption", "thead", "tbody", "tr", "th", "td"})
ATTRIBUTES = frozenset({"className", "id", "scope", "colSpan", "title"})


def tag(name: str, *children: object, **attributes: str | int | None) -> list:
    """One element as JsonML. Children are texts, numbers or elements; None children and attributes are left out."""
    if name not in TAGS:
        raise ValueError(f"markup: tag {name!r} is not drawn (allowed: {sorted(TAGS)})")
    kept = [child for child in children if child is not None]
    if not attributes:  # most cells of a table
        return [name, *kept]
    if not ATTRIBUTES.issuperset(attributes):
        unknown = sorted(set(attributes) - ATTRIBUTES)
        raise ValueError(f"markup: attribute(s) {unknown} are not drawn (allowed: {sorted(ATTRIBUTES)})")
    shown = {key: value for key, value in attributes.items() if value is not None}
    return [name, shown, *kept] if shown else [name, *kept]


def block(tree: list) -> dict:
    """A tree of `tag` elements as the Dash component that draws it (a callback output value)."""
    return {"type": "Markup", "namespace": NAMESPACE, "props": {"tree": tree}}


def texts(tree: object) -> list[str]:
    """Every text of a tree, in document order (what a reader of the page sees)."""
    if isinstance(tree, (str, int, float)):
        return [str(tree)]
    if not isinstance(tree, list) or not tree:
        return []
    children = tree[2:] if len(tree) > 1 and isinstance(tree[1], dict) else tree[1:]
    return [text for child in children for text in texts(child)]
