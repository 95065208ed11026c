"""Frontline: a workstation for call-centre and technical-support operators."""

__version__ = "0.1.0"
