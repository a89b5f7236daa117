"""What an importer hands back: a raw canonical table and what the page must say about it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Imported:
    """A source table turned into the canonical layout, still to be validated by hotline.normalize.

    `unit` is the plural noun for what the counts count ("victims", "offenses"); `notes` are short
    sentences for the "About this data" panel: which margin was used, what was left out and why.
    """

    table: pd.DataFrame
    format: str
    source_label: str
    unit: str = "signals"
    notes: tuple[str, ...] = ()
