"""The cooperation app's file imports."""
