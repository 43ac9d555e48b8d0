"""infralint inside other programs: the flake8 plugin and the language server."""
