"""ui/screens package."""
