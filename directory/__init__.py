"""The directory: the store of agencies, complexes and links, and its search."""
