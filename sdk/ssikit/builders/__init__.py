"""Builders: turn intent into call arguments or typed messages. No I/O."""
