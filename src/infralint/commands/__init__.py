"""The sub-commands of the CLI, each in its own module."""
