"""Tools: the base class and registry, and one module per built-in tool."""
