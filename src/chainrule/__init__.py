"""chainrule: differentiate functions three ways and show the work."""

__version__ = "0.1.0"
