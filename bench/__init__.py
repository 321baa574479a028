"""Performance bench for the toolkit: `python -m bench` (see bench/README.md)."""
