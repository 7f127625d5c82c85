"""``python -m chainrule`` runs the command line."""

from chainrule.cli.main import main

main()
