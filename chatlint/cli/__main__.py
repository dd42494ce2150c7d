"""``python -m chatlint.cli``."""

from chatlint.cli import main

if __name__ == "__main__":
    main(prog_name="chatlint")
