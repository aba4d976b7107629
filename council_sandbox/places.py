"""Which council and which town a postcode belongs to, and the streets the synthetic addresses use.

The council comes from the postcode district and sector (the contract's approximation; a real deployment asks an
address service). Streets are real-sounding names from each town so that demos read naturally; the house
numbers on them are invented.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

CHORLEY = "chorley"
SOUTH_RIBBLE = "south_ribble"

# district -> {sector digit or "*" (any other sector) -> (council, towns)}; a district or sector not listed is
# outside the two boroughs.
AREAS: Dict[str, Dict[str, Tuple[str, Tuple[str, ...]]]] = {
    "PR6": {
        "7": (CHORLEY, ("Clayton-le-Woods", "Whittle-le-Woods")),
        "8": (CHORLEY, ("Brinscall", "Wheelton")),
        "9": (CHORLEY, ("Adlington", "Heath Charnock")),
        "*": (CHORLEY, ("Chorley", "Whittle-le-Woods")),
    },
    "PR7": {
        "4": (CHORLEY, ("Coppull", "Adlington")),
        "5": (CHORLEY, ("Eccleston", "Charnock Richard", "Coppull")),
        "6": (CHORLEY, ("Euxton",)),
        "*": (CHORLEY, ("Chorley",)),
    },
    "PR26": {
        "6": (SOUTH_RIBBLE, ("Farington Moss",)),
        "7": (SOUTH_RIBBLE, ("Leyland",)),
        "8": (SOUTH_RIBBLE, ("Farington",)),
        "9": (CHORLEY, ("Croston", "Bretherton")),
    },
    "PR25": {"*": (SOUTH_RIBBLE, ("Leyland",))},
    "PR5": {
        "0": (SOUTH_RIBBLE, ("Higher Walton", "Samlesbury", "Gregson Lane")),
        "4": (SOUTH_RIBBLE, ("Walton-le-Dale",)),
        "5": (SOUTH_RIBBLE, ("Lostock Hall",)),
        "*": (SOUTH_RIBBLE, ("Bamber Bridge",)),
    },
    "PR1": {
        "0": (SOUTH_RIBBLE, ("Penwortham",)),
        "9": (SOUTH_RIBBLE, ("Penwortham",)),
    },
    "PR4": {
        "4": (SOUTH_RIBBLE, ("Hutton", "Much Hoole")),
        "5": (SOUTH_RIBBLE, ("Longton",)),
    },
}

# The districts in a fixed order: part of how UPRNs are made, so only ever append.
DISTRICTS: Tuple[str, ...] = ("PR1", "PR4", "PR5", "PR6", "PR7", "PR25", "PR26")

STREETS: Dict[str, Tuple[str, ...]] = {
    "Chorley": (
        "Market Street", "Pall Mall", "Bolton Road", "Eaves Lane", "Park Road", "Preston Road", "Harpers Lane",
        "Lyons Lane", "Devonshire Road", "Stump Lane", "Weldbank Lane", "Moor Road", "Cunliffe Street",
        "Steeley Lane", "Highfield Road", "Water Street", "Southport Road", "Gillibrand Walks", "Brooke Street",
    ),
    "Whittle-le-Woods": ("Chorley Old Road", "Town Lane", "Moss Lane", "Dawson Lane", "Preston Road"),
    "Clayton-le-Woods": ("Lancaster Lane", "Wigan Road", "Shady Lane", "Great Greens Lane", "Back Lane"),
    "Brinscall": ("School Lane", "Bury Lane", "Lodge Bank", "Railway Road"),
    "Wheelton": ("Blackburn Road", "Harbour Lane", "Kenyon Lane", "Victoria Street"),
    "Adlington": ("Chorley Road", "Railway Road", "Market Street", "Babylon Lane", "Park Road", "Bolton Road"),
    "Heath Charnock": ("Rawlinson Lane", "Chorley Road", "Long Lane"),
    "Coppull": ("Spendmore Lane", "Chapel Lane", "Coppull Moor Lane", "Mill Lane", "Park Road", "Preston Road"),
    "Eccleston": ("The Green", "Doctors Lane", "Parr Lane", "Bradley Lane", "Towngate"),
    "Charnock Richard": ("Church Lane", "Preston Road", "Chorley Lane", "Mill Lane"),
    "Euxton": ("Wigan Road", "Euxton Lane", "Runshaw Lane", "Balshaw Lane", "Pear Tree Lane", "Studfold"),
    "Croston": ("Town Road", "Station Road", "Westhead Road", "Grape Lane", "Moor Road"),
    "Bretherton": ("South Road", "North Road", "Marl Cop"),
    "Leyland": (
        "Towngate", "Hough Lane", "Golden Hill Lane", "Leyland Lane", "Turpin Green Lane", "Slater Lane",
        "Fox Lane", "Canberra Road", "Broadfield Drive", "Moss Lane", "Church Road", "Worden Lane",
        "Chapel Brow", "Wellington Road",
    ),
    "Farington": ("Stanifield Lane", "Croston Road", "Farington Road", "Rosewood Avenue", "Church Road"),
    "Farington Moss": ("Flag Lane", "Croston Road", "Longmeanygate", "Wheelton Lane"),
    "Penwortham": (
        "Liverpool Road", "Cop Lane", "Priory Lane", "Hill Road", "Marshall's Brow", "Leyland Road", "Pope Lane",
        "Kingsfold Drive", "Hurst Grange", "Middleforth Green",
    ),
    "Bamber Bridge": (
        "Station Road", "Brindle Road", "Collins Road", "Club Street", "Brownedge Road", "Duddle Lane",
        "Kellet Lane", "School Lane",
    ),
    "Lostock Hall": ("Watkin Lane", "Ward Street", "Hope Terrace", "Croston Road", "Brownedge Road"),
    "Walton-le-Dale": ("Chorley Road", "Victoria Road", "Church Brow", "Cann Bridge Street", "Higher Walton Road"),
    "Higher Walton": ("Higher Walton Road", "Cinnamon Hill Drive", "Blackburn Road"),
    "Samlesbury": ("Preston New Road", "Cuerdale Lane", "Potter Lane"),
    "Gregson Lane": ("Gregson Lane", "Oakfield Drive", "Chapel Lane"),
    "Longton": ("Liverpool Road", "Chapel Lane", "Marsh Lane", "Hall Lane", "School Lane", "Drumacre Lane"),
    "Hutton": ("Liverpool Road", "Moor Lane", "Ratten Lane", "Grange Avenue"),
    "Much Hoole": ("Liverpool Old Road", "Gill Lane", "Dob Lane", "Town Lane"),
}

# Approximate centres, for synthetic coordinates of addresses (lat, long).
TOWN_CENTRES: Dict[str, Tuple[float, float]] = {
    "Chorley": (53.6530, -2.6320),
    "Whittle-le-Woods": (53.6860, -2.6370),
    "Clayton-le-Woods": (53.6950, -2.6500),
    "Brinscall": (53.6800, -2.5660),
    "Wheelton": (53.6870, -2.5880),
    "Adlington": (53.6130, -2.6020),
    "Heath Charnock": (53.6230, -2.5930),
    "Coppull": (53.6200, -2.6610),
    "Eccleston": (53.6510, -2.7170),
    "Charnock Richard": (53.6340, -2.6830),
    "Euxton": (53.6640, -2.6750),
    "Croston": (53.6650, -2.7750),
    "Bretherton": (53.6770, -2.8020),
    "Leyland": (53.6970, -2.6870),
    "Farington": (53.7060, -2.6830),
    "Farington Moss": (53.6970, -2.7120),
    "Penwortham": (53.7470, -2.7290),
    "Bamber Bridge": (53.7260, -2.6600),
    "Lostock Hall": (53.7260, -2.6880),
    "Walton-le-Dale": (53.7450, -2.6700),
    "Higher Walton": (53.7450, -2.6250),
    "Samlesbury": (53.7600, -2.6100),
    "Gregson Lane": (53.7330, -2.6250),
    "Longton": (53.7270, -2.7970),
    "Hutton": (53.7350, -2.7650),
    "Much Hoole": (53.7110, -2.8150),
}

# Rough boxes (south, north, west, east) around each borough: enough to refuse a map pin far outside.
BOUNDS: Dict[str, Tuple[float, float, float, float]] = {
    CHORLEY: (53.555, 53.735, -2.850, -2.470),
    SOUTH_RIBBLE: (53.660, 53.785, -2.880, -2.570),
}

# Demo postcodes whose town and street are fixed so that they match the examples in docs/sandbox-api.md.
KNOWN_STREETS: Dict[str, Tuple[str, str]] = {
    "PR7 1DP": ("Chorley", "Market Street"),
    "PR25 2AX": ("Leyland", "Towngate"),
}

HOUSE_NAMES: Tuple[str, ...] = (
    "Rose Cottage", "The Laurels", "Holly House", "Oak Lodge", "The Willows", "Fern Bank", "Brook House",
    "The Old Forge", "Ivy Cottage", "Meadow View", "Hillcrest", "The Beeches", "Orchard House", "Fold Cottage",
)


def area_of(postcode: str) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """(council, towns) for a normalised postcode, or None outside the two boroughs."""
    district, inward = postcode.split(" ")
    sectors = AREAS.get(district)
    if not sectors:
        return None
    return sectors.get(inward[0]) or sectors.get("*")


def council_at(lat: float, long: float) -> List[str]:
    """The councils whose rough box contains the point (both, where the boxes overlap)."""
    return [c for c, (s, n, w, e) in BOUNDS.items() if s <= lat <= n and w <= long <= e]
