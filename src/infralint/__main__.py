# `python -m infralint`: the package's __init__ has already taken the current folder off sys.path
from .cli import console_main

console_main()
