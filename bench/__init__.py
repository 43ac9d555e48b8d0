"""Benchmark infralint against its peers on the same files: `python -m bench [PATHS] [--runs N]`."""
