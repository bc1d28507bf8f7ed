"""Pure core: models and rules. Imports neither ape nor web3; tested without a chain."""
