"""End-to-end flows built from the SDK's clients (the demo)."""
