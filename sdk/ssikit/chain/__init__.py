"""Thin clients: send transactions and read state through Ape."""
