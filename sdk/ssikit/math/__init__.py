"""Integer math mirrored function for function from ``contracts/libraries`` (differential tests
prove both give the same integers)."""
