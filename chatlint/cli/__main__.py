"""``python -m chatlint.cli``."""

from chatlint.cli import main

main(prog_name="chatlint")
