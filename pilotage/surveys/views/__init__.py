"""The surveys app's pages. Each part of the app keeps its routes in its views module."""
