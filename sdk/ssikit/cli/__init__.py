"""The ``ssikit`` command line (click): thin over the SDK."""
