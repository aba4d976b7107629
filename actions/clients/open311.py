"""Client of the council's Open311 GeoReport v2 service (`/open311/v2`): report a problem, check a report.

http://wiki.open311.org/GeoReport_v2, JSON only. Only the POST carries the API key. A POST is never retried here: if
it fails after it was sent (`ServiceUnavailable.maybe_processed`), the report may exist. The reports outbox
(actions/outbox/) sends it again later with the same `submission_key`, after asking whether it arrived.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Dict, List, Mapping, Optional, Tuple

import requests

from councils.references import normalise_reference  # noqa: F401 (part of this client's interface)

from .errors import NotFound
from .http import ServiceClient, TTLCache

# The list of services and each service's questions change only when the council changes its forms. A report
# journey asks for the definition when it starts and again when it checks the answers, and many residents report
# the same few problems, so keep them for a few minutes: quick, and a changed form still shows up soon after.
# Nothing about a resident or a report is cached.
DEFINITION_CACHE_SECONDS = 300.0

# Our unique key for one report, sent as an Open311 attribute; see submit and reference_for_submission_key.
SUBMISSION_KEY = "submission_key"

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    metadata: bool  # True: the service has questions (service_definition)
    type: str  # realtime, batch, blackbox
    keywords: List[str] = field(default_factory=list)
    group: Optional[str] = None


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # one of DATATYPES
    required: bool
    order: int
    description: str  # the question, as the resident is asked it
    values: List[Tuple[str, str]] = field(default_factory=list)  # (key, name) for the *valuelist datatypes
    variable: bool = True  # False: information to show, not a question
    datatype_description: Optional[str] = None

    def value_name(self, key: Any) -> Optional[str]:
        return next((name for k, name in self.values if k == str(key)), None)


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    attributes: List[Attribute] = field(default_factory=list)  # sorted by order


@dataclass(frozen=True)
class SubmittedRequest:
    reference: Optional[str]  # "REP-104523" (None only if the service answered with a token instead)
    service_notice: Optional[str]
    token: Optional[str] = None
    account_id: Optional[str] = None


@dataclass(frozen=True)
class ServiceRequest:
    reference: str
    status: str  # "open" or "closed"
    status_notes: Optional[str]
    service_name: Optional[str]
    service_code: Optional[str]
    description: Optional[str]
    agency_responsible: Optional[str]
    service_notice: Optional[str]
    requested_datetime: Optional[datetime]
    updated_datetime: Optional[datetime]
    expected_datetime: Optional[datetime]
    address: Optional[str]
    address_id: Optional[str]
    zipcode: Optional[str]
    lat: Optional[float]
    long: Optional[float]
    media_url: Optional[str]


_LIST_FILTERS = ("service_request_id", "service_code", "start_date", "end_date", "status")


class Open311Client(ServiceClient):
    service = "open311"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str,
        timeout: float = 5.0,
        retries: int = 1,
        session: Optional[requests.Session] = None,
        cache_seconds: float = DEFINITION_CACHE_SECONDS,
    ) -> None:
        super().__init__(base_url, timeout=timeout, retries=retries, session=session)
        self._api_key = api_key
        self._cache = TTLCache(cache_seconds)

    # -- services ---------------------------------------------------------------------------------------------

    def services(self) -> List[Service]:
        """The services residents can report (cached for a few minutes)."""
        body = self._cache.get_or_set("services", self._fetch_services)
        return _services(body)

    def service_definition(self, code: str) -> ServiceDefinition:
        """The questions of a service, sorted by `order` (cached for a few minutes). NotFound for an unknown code."""
        if not code or not str(code).strip():
            raise NotFound(self.service, "empty service code (checked before calling)")
        code = str(code).strip()
        body = self._cache.get_or_set(("definition", code), lambda: self._fetch_definition(code))
        return _definition(code, body)

    def clear_cache(self) -> None:
        self._cache.clear()

    # The cache keeps the decoded JSON, checked by parsing it once (an answer we cannot read is not cached), and
    # each call parses it again, so callers get their own objects and cannot change the cached ones.
    def _fetch_services(self) -> Any:
        body = self._get("/services.json")
        with self._reading("GET /services.json"):
            _services(body)
        return body

    def _fetch_definition(self, code: str) -> Any:
        body = self._get("/services/{code}.json", {"code": code})
        with self._reading("GET /services/{code}.json"):
            _definition(code, body)
        return body

    # -- requests ---------------------------------------------------------------------------------------------

    def submit(
        self,
        service_code: str,
        attributes: Optional[Mapping[str, Any]] = None,
        uprn: Optional[str] = None,
        address_string: Optional[str] = None,
        lat: Optional[float] = None,
        long: Optional[float] = None,
        council: Optional[str] = None,
        description: Optional[str] = None,
        email: Optional[str] = None,
        phone: Optional[str] = None,
        *,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        media_url: Optional[str] = None,
        submission_key: Optional[str] = None,
    ) -> SubmittedRequest:
        """Make a report. Sent once, never retried.

        `submission_key` is our own unique key for this report, sent as `attribute[submission_key]`: a service
        that honours it (the sandbox does) answers the same key again with the same reference instead of a second
        report, and `reference_for_submission_key` finds the report by it after an unknown outcome.

        One location is needed: `uprn` (address_id), `lat` + `long`, or `address_string`; `council` is the
        jurisdiction_id (chorley, south_ribble), which the service requires when the location is not a UPRN.
        `attributes` maps attribute codes to answers; a list answers a multivaluelist (sent as attribute[code][]).

        Raises Rejected (400: e.g. a missed bin that cannot be reported yet, with the service's description;
        403: our API key is wrong), NotFound (unknown service), ServiceUnavailable (check `maybe_processed`).
        """
        if (lat is None) != (long is None):
            raise ValueError("lat and long go together")
        if not (uprn or address_string or lat is not None):
            raise ValueError("a report needs a location: uprn, lat and long, or address_string")
        form: List[Tuple[str, str]] = [("api_key", self._api_key), ("service_code", service_code)]
        optional = (
            ("jurisdiction_id", council),
            ("address_id", uprn),
            ("address_string", address_string),
            ("lat", lat),
            ("long", long),
            ("description", description),
            ("email", email),
            ("phone", phone),
            ("first_name", first_name),
            ("last_name", last_name),
            ("media_url", media_url),
        )
        form.extend((name, _form_value(value)) for name, value in optional if value is not None and value != "")
        if submission_key:
            form.append((f"attribute[{SUBMISSION_KEY}]", submission_key))
        for code, value in (attributes or {}).items():
            if value is None:
                continue
            if isinstance(value, (list, tuple, set, frozenset)):
                form.extend((f"attribute[{code}][]", _form_value(v)) for v in value)
            else:
                form.append((f"attribute[{code}]", _form_value(value)))
        body = self._post_form("/requests.json", form)
        with self._reading("POST /requests.json"):
            item = body[0] if isinstance(body, list) else body
            reference = item.get("service_request_id")
            token = item.get("token")
            if reference is None and token is None:
                raise KeyError("service_request_id")
            return SubmittedRequest(
                reference=str(reference) if reference is not None else None,
                service_notice=item.get("service_notice"),
                token=str(token) if token is not None else None,
                account_id=_str_or_none(item.get("account_id")),
            )

    def reference_for_submission_key(self, submission_key: str) -> Optional[str]:
        """The reference of the report sent with `submission_key`, or None if the service has none.

        Asked before sending a report again after an unknown outcome (a timeout): if it arrived, it is not sent
        twice. `GET /requests.json?submission_key=...`, an extension the service documents (the sandbox does)."""
        body = self._get("/requests.json", params={SUBMISSION_KEY: submission_key})
        with self._reading("GET /requests.json?submission_key"):
            references = [str(item["service_request_id"]) for item in body]
            return references[0] if references else None

    def get_request(self, reference: str) -> ServiceRequest:
        """A report by its reference, typed any way ("rep 104523"). NotFound if there is none, or if the text is
        not a reference (without calling the service)."""
        normalised = normalise_reference(reference)
        if normalised is None:
            raise NotFound(self.service, "not a report reference (checked before calling)")
        body = self._get("/requests/{id}.json", {"id": normalised})
        with self._reading("GET /requests/{id}.json"):
            items = body if isinstance(body, list) else [body]
            if not items:
                raise NotFound(self.service, "GET /requests/{id}.json: empty list", status=200)
            return _service_request(items[0])

    def list_requests(self, **filters: Any) -> List[ServiceRequest]:
        """Reports, newest first (the service's default: the last 90 days, at most 1000).

        Filters: service_request_id (one or several references, typed any way), service_code, status ("open",
        "closed"; one or several), start_date, end_date (date, datetime or ISO 8601 text).
        """
        unknown = set(filters) - set(_LIST_FILTERS)
        if unknown:
            raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        params: Dict[str, str] = {}
        for name, value in filters.items():
            if value is None:
                continue
            if name == "service_request_id":
                given = [value] if isinstance(value, str) else list(value)
                ids = [r for r in (normalise_reference(v) for v in given) if r]
                if not ids:
                    # Never drop the filter: without it the service would list everyone's reports.
                    return []
                params[name] = ",".join(dict.fromkeys(ids))
            elif name in ("start_date", "end_date"):
                params[name] = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
            else:
                params[name] = value if isinstance(value, str) else ",".join(str(v) for v in value)
        body = self._get("/requests.json", params=params)
        with self._reading("GET /requests.json"):
            return [_service_request(item) for item in body]


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _str_or_none(value: Any) -> Optional[str]:
    return None if value is None or value == "" else str(value)


def _float_or_none(value: Any) -> Optional[float]:
    return None if value is None or value == "" else float(value)


def _datetime(value: Any) -> Optional[datetime]:
    if value is None or value == "":
        return None
    text = str(value)
    if text.endswith("Z"):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def _keywords(value: Any) -> List[str]:
    if not value:
        return []
    if isinstance(value, str):  # GeoReport v2: a comma separated list
        return [k.strip() for k in value.split(",") if k.strip()]
    return [str(k) for k in value]


def _service(item: Mapping[str, Any]) -> Service:
    metadata = item.get("metadata", False)
    if isinstance(metadata, str):
        metadata = metadata.strip().lower() == "true"
    return Service(
        code=str(item["service_code"]),
        name=str(item.get("service_name") or item["service_code"]),
        description=str(item.get("description") or ""),
        metadata=bool(metadata),
        type=str(item.get("type") or "realtime"),
        keywords=_keywords(item.get("keywords")),
        group=item.get("group"),
    )


def _services(body: Any) -> List[Service]:
    return [_service(item) for item in body]


def _definition(code: str, body: Mapping[str, Any]) -> ServiceDefinition:
    attributes = sorted((_attribute(item) for item in body.get("attributes") or []), key=lambda a: a.order)
    return ServiceDefinition(code=str(body.get("service_code") or code), attributes=attributes)


def _attribute(item: Mapping[str, Any]) -> Attribute:
    values = [(str(v["key"]), str(v.get("name", v["key"]))) for v in item.get("values") or []]
    order = item.get("order")
    return Attribute(
        code=str(item["code"]),
        datatype=str(item.get("datatype") or "string"),
        required=_bool(item.get("required", False)),
        order=int(order) if order not in (None, "") else 10**6,
        description=str(item.get("description") or ""),
        values=values,
        variable=_bool(item.get("variable", True)),
        datatype_description=_str_or_none(item.get("datatype_description")),
    )


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _service_request(item: Mapping[str, Any]) -> ServiceRequest:
    return ServiceRequest(
        reference=str(item["service_request_id"]),
        status=str(item.get("status") or ""),
        status_notes=_str_or_none(item.get("status_notes")),
        service_name=_str_or_none(item.get("service_name")),
        service_code=_str_or_none(item.get("service_code")),
        description=_str_or_none(item.get("description")),
        agency_responsible=_str_or_none(item.get("agency_responsible")),
        service_notice=_str_or_none(item.get("service_notice")),
        requested_datetime=_datetime(item.get("requested_datetime")),
        updated_datetime=_datetime(item.get("updated_datetime")),
        expected_datetime=_datetime(item.get("expected_datetime")),
        address=_str_or_none(item.get("address")),
        address_id=_str_or_none(item.get("address_id")),
        zipcode=_str_or_none(item.get("zipcode")),
        lat=_float_or_none(item.get("lat")),
        long=_float_or_none(item.get("long")),
        media_url=_str_or_none(item.get("media_url")),
    )
