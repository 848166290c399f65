"""Where a group is placed: its own point, else its neighbourhood's.

The one statement of that rule. The engine measures distance from the
group's own point where it has one; everything shown to other people
(the directory, connections) first drops the point of a group that meets at
home, so the home is never shown (``partners.selectors.group_public_point``).
"""

from __future__ import annotations

__all__ = ["point_or_neighbourhood"]

# (latitude, longitude), EPSG:4326 degrees; either may be missing (NULL).
MaybePoint = tuple[float | None, float | None]


def point_or_neighbourhood(
    own: MaybePoint, neighbourhood: MaybePoint
) -> tuple[float, float] | None:
    """The group's own point if it has both coordinates, else its
    neighbourhood's representative point, else None (no place at all).

    >>> point_or_neighbourhood((51.5, -0.1), (52.0, -1.0))
    (51.5, -0.1)
    >>> point_or_neighbourhood((None, None), (52.0, -1.0))
    (52.0, -1.0)
    >>> point_or_neighbourhood((None, None), (None, None)) is None
    True
    """
    for lat, lon in (own, neighbourhood):
        if lat is not None and lon is not None:
            return lat, lon
    return None
