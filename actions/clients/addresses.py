"""Client of the address service (`/addresses/v1`): postcode -> addresses with UPRNs, and UPRN -> address.

The council comes from the address (UPRN), not from the postcode: postcode districts overlap the borough boundary.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional

from councils import postcodes

from .errors import InvalidPostcode, NotFound, Rejected
from .http import ServiceClient


@dataclass(frozen=True)
class Address:
    uprn: str
    address: str  # one line, as said to the resident: "12 Market Street, Chorley, PR7 1DP"
    house: str
    street: str
    town: str
    postcode: str
    council: Optional[str]  # "chorley" or "south_ribble"


@dataclass(frozen=True)
class PostcodeResult:
    postcode: str  # normalised: "PR7 1DP"
    in_area: bool  # in Chorley or South Ribble
    council: Optional[str]  # the council of the postcode, when it has one; each address still names its own
    addresses: List[Address] = field(default_factory=list)
    message: Optional[str] = None  # the service's words when out of area ("L1 8JQ is not in Chorley or ...")


@dataclass(frozen=True)
class StreetResult:
    street: Optional[str]  # the street's name as the service has it ("Duddle Lane"), None when it knows none
    towns: List[str]  # the towns with a street of that name
    addresses: List[Address] = field(default_factory=list)
    message: Optional[str] = None  # why there are none


class AddressClient(ServiceClient):
    service = "addresses"

    def lookup_postcode(self, text: str) -> PostcodeResult:
        """The addresses at a postcode typed any way ("pr71dp", "PR7 1DP", "pr7 1 dp").

        Raises InvalidPostcode without calling the service if `text` is not a postcode (and on a 400 from it),
        ServiceUnavailable if the service cannot answer. A well-formed postcode outside the two boroughs is not
        an error: `in_area` is False, `addresses` empty and `message` says so.
        """
        postcode = postcodes.normalise(text or "")
        if postcode is None:
            raise InvalidPostcode(
                self.service, "not a postcode (checked before calling)", description=_not_a_postcode(text)
            )
        try:
            body = self._get("/postcodes/{postcode}", {"postcode": postcode})
        except Rejected as exc:
            if exc.status != 400:
                raise
            raise InvalidPostcode(
                self.service,
                "GET /postcodes/{postcode}: 400",
                status=400,
                description=exc.description or _not_a_postcode(text),
                code=exc.code,
            ) from None
        with self._reading("GET /postcodes/{postcode}"):
            return PostcodeResult(
                postcode=body.get("postcode") or postcode,
                in_area=bool(body["in_area"]),
                council=body.get("council"),
                addresses=[_address(item) for item in body.get("addresses") or []],
                message=body.get("message"),
            )

    def search_street(self, street: str, town: Optional[str] = None, house: Optional[str] = None) -> StreetResult:
        """The addresses on a street (in a town; of a house number or name), for a resident without a postcode.

        A street, town or house the service doesn't know is not an error: `addresses` is empty and `message` says
        why. ServiceUnavailable if the service cannot answer.
        """
        params = {"street": street, **({"town": town} if town else {}), **({"house": house} if house else {})}
        body = self._get("/search", params=params)
        with self._reading("GET /search"):
            return StreetResult(
                street=body.get("street"),
                towns=[str(t) for t in body.get("towns") or []],
                addresses=[_address(item) for item in body.get("addresses") or []],
                message=body.get("message"),
            )

    def get_address(self, uprn: str) -> Address:
        """The address with this UPRN. NotFound if there is none (or `uprn` is not a UPRN: digits only)."""
        uprn = str(uprn or "").strip()
        if not uprn.isdigit() or len(uprn) > 12:
            raise NotFound(self.service, "not a UPRN (checked before calling)")
        body = self._get("/uprn/{uprn}", {"uprn": uprn})
        with self._reading("GET /uprn/{uprn}"):
            return _address(body)


def _address(item: Mapping[str, Any]) -> Address:
    return Address(
        uprn=str(item["uprn"]),
        address=str(item["address"]),
        house=str(item.get("house") or ""),
        street=str(item.get("street") or ""),
        town=str(item.get("town") or ""),
        postcode=str(item.get("postcode") or ""),
        council=item.get("council"),
    )


def _not_a_postcode(text: Optional[str]) -> str:
    shown = " ".join((text or "").split())
    # Echo back short text only, and never many digits (a phone or card number typed in the wrong place).
    if not shown or len(shown) > 20 or len(re.findall(r"\d", shown)) > 4:
        return "That doesn't look like a UK postcode. A postcode looks like PR7 1DP."
    return f'"{shown}" is not a UK postcode. A postcode looks like PR7 1DP.'
