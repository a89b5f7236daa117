"""Settings shared by every test."""

import os

# A fixed key seed: the cell-key perturbation gives the same numbers on every run and machine, and no
# test writes a seed file beside its data or in the home folder.
os.environ.setdefault("HOTLINE_PRIVACY_SEED", "hotline-dashboard test suite")
