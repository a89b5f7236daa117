"""Performance benchmarks of the dashboard (run `python -m benchmarks.run`)."""
