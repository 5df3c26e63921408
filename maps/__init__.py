"""Folium maps over the store: resources, linkage networks, and access to services.

Every function returns a `folium.Map`; `maps.assets` renders it for the web
app (assets from the app) or as a standalone file (assets inlined), never
with a CDN link.
"""
from .common import MapError

__all__ = ["MapError"]
