"""The shared kernel of the four domains: standard library only, no behaviour of any service."""
