"""Coordinates as agency lists give them: WGS84, swapped, or in a Korean projection.

Portal lists put WGS84 degrees in 위도/경도, but district spreadsheets often
carry TM 중부원점 (EPSG:5186, or the older Bessel EPSG:2097) or UTM-K
(EPSG:5179) metres in X/Y columns, and now and then latitude and longitude
change places. `to_wgs84` takes the two values as the columns hold them and
says what it did. `read_coordinates` does the same from the cells' text,
which may write the decimal point as a comma ("37,65").
"""
from __future__ import annotations

import math
import re

from directory.errors import YeongyeError
# Korea's box, the projections and the one cached transformer are the vocabulary's.
from directory.vocabulary import (  # noqa: F401  (KOREA_*, in_korea, transformer re-exported)
    CRS_NAMES, KOREA_LAT, KOREA_LON, TM_CENTRAL, TM_CENTRAL_BESSEL, UTMK, in_korea, transformer,
)


__all__ = [
    "KOREA_LAT", "KOREA_LON", "in_korea", "transformer",  # re-exported
    "CoordinateError", "CoordinateNotANumber", "projected_to_wgs84", "guess_crs", "to_wgs84",
    "read_coordinates",
]

class CoordinateError(YeongyeError, ValueError):
    """The two values are not a position in Korea in any system we know."""

    code = "coordinate_error"


class CoordinateNotANumber(CoordinateError):
    """A coordinate cell holds no number; `column` is "lat" or "lon", `text` the cell."""

    code = "coordinate_not_a_number"

    def __init__(self, column: str, text: str | None):
        self.column, self.text = column, text
        super().__init__(text=text)


def projected_to_wgs84(x: float, y: float, crs: str) -> tuple[float, float]:
    """(lat, lon) of a projected easting `x` and northing `y`."""
    lon, lat = transformer(crs).transform(x, y)
    return lat, lon


def guess_crs(x: float, y: float) -> str | None:
    """The Korean projection whose range holds easting `x` and northing `y`.

    UTM-K has false origin (1,000,000, 2,000,000), so Korea lies near
    x 700k–1.4M, y 1.4M–2.2M; TM 중부원점 (200,000, 600,000) puts it near
    x −100k–800k, y −100k–800k. The Bessel 2097 system differs from 5186 by
    100 km in northing, which no range test can tell apart: 5186 is assumed
    unless the caller says otherwise.
    """
    if 600_000 <= x <= 1_500_000 and 1_300_000 <= y <= 2_300_000:
        return UTMK
    if -150_000 <= x <= 800_000 and -150_000 <= y <= 800_000:
        return TM_CENTRAL
    return None


def to_wgs84(lat_value: float, lon_value: float, crs: str | None = None) -> tuple[float, float, str | None]:
    """(lat, lon, note) from the values of the latitude and longitude columns.

    `note` is None for plain WGS84, "swapped" when the two were exchanged, or
    the name of the projection converted from. Raises CoordinateError when
    no reading puts the point in Korea.

    >>> to_wgs84(127.0276, 37.4979)[2]
    'swapped'
    >>> lat, lon, note = to_wgs84(1944000.0, 958000.0)
    >>> note, round(lat, 2), round(lon, 2)
    ('UTM-K', 37.49, 127.02)
    """
    if crs is None and max(abs(lat_value), abs(lon_value)) <= 360:
        if in_korea(lat_value, lon_value):
            return lat_value, lon_value, None
        if in_korea(lon_value, lat_value):
            return lon_value, lat_value, "swapped"
        raise CoordinateError("coordinates_outside_korea", lat=lat_value, lon=lon_value)
    # Projected metres: the latitude column holds the northing (Y), the
    # longitude column the easting (X); either may be swapped as well.
    y, x = lat_value, lon_value
    attempts = [(x, y, None), (y, x, "swapped")]
    for easting, northing, swapped in attempts:
        systems = [crs] if crs else [s for s in (guess_crs(easting, northing),) if s]
        if not crs and systems == [TM_CENTRAL]:
            systems.append(TM_CENTRAL_BESSEL)
        for system in systems:
            lat, lon = projected_to_wgs84(easting, northing, system)
            if in_korea(lat, lon):
                name = CRS_NAMES.get(system, system)
                return lat, lon, f"{name}, swapped" if swapped else name
    raise CoordinateError("coordinates_unreadable", lat=lat_value, lon=lon_value)


# "1,944,000.5": commas between groups of three digits.
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")
# "37,65", "127,060": one comma after at most three digits, no point.
_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,3},\d+")


def _readings(column: str, text: str | None) -> tuple[float, float | None]:
    """(the number as written with thousands separators, the number read with a decimal comma or None)."""
    text = (text or "").strip()
    decimal = float(text.replace(",", ".")) if _DECIMAL_COMMA.fullmatch(text) else None
    if "," not in text or _THOUSANDS.fullmatch(text):
        try:
            plain = float(text.replace(",", ""))
        except ValueError:
            raise CoordinateNotANumber(column, text) from None
    elif decimal is not None:
        plain = math.nan  # "37,65" has no thousands reading
    else:
        raise CoordinateNotANumber(column, text)
    if not math.isfinite(plain) and decimal is None:
        raise CoordinateNotANumber(column, text)
    return plain, decimal


def read_coordinates(lat_text: str | None, lon_text: str | None,
                     crs: str | None = None) -> tuple[float, float, str | None]:
    """(lat, lon, note) from the text of the latitude and longitude cells, as `to_wgs84`.

    A comma may be a thousands separator of projected metres ("1,944,000")
    or the decimal comma of degrees ("37,65"). Read as degrees, a value
    with a decimal comma is taken only when the point (swapped or not) then
    lies in Korea as degrees; otherwise it is read as metres, if it can
    be. The two readings are never mixed within a pair, and a decimal-comma
    reading is never taken as projected metres, so "37,650","127,060" cannot
    become a point in the sea off 제주. Raises CoordinateNotANumber for a
    cell that is no number, CoordinateError when no reading is in Korea.

    >>> read_coordinates("37,65", "127,06")
    (37.65, 127.06, None)
    >>> lat, lon, note = read_coordinates("1,944,000", "958,000")
    >>> note, round(lat, 2), round(lon, 2)
    ('UTM-K', 37.49, 127.02)
    """
    (lat_plain, lat_decimal), (lon_plain, lon_decimal) = _readings("lat", lat_text), _readings("lon", lon_text)
    if crs is None and (lat_decimal is not None or lon_decimal is not None):
        lat = lat_plain if lat_decimal is None else lat_decimal
        lon = lon_plain if lon_decimal is None else lon_decimal
        if math.isfinite(lat) and math.isfinite(lon) and max(abs(lat), abs(lon)) <= 360:
            try:
                return to_wgs84(lat, lon)
            except CoordinateError:
                pass
        if not (math.isfinite(lat_plain) and math.isfinite(lon_plain)):
            raise CoordinateError("coordinates_outside_korea", lat=lat_text, lon=lon_text)
    return to_wgs84(lat_plain, lon_plain, crs=crs)
