"""``python -m chainrule`` runs the command line."""

from chainrule.cli.main import main

if __name__ == "__main__":  # guarded so that importing the module (doctest collection) runs nothing
    main()
