"""`python -m svar.search …` runs the `svar` command (for a program that has no script on its PATH)."""

from .cli import main

main(prog_name="svar")
