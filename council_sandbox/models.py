"""Database tables: properties (by UPRN), problem reports (Open311 requests), counters and seed markers."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Property(Base):
    """A synthetic address and the waste round it is on (what a back-office waste system holds per UPRN)."""

    __tablename__ = "properties"

    uprn = Column(String(12), primary_key=True)
    postcode = Column(String(8), nullable=False, index=True)
    position = Column(Integer, nullable=False)  # order within the postcode, as the address service lists them
    house = Column(String(60), nullable=False)
    street = Column(String(80), nullable=False)
    town = Column(String(60), nullable=False)
    council = Column(String(20), nullable=False)
    lat = Column(Float, nullable=False)
    long = Column(Float, nullable=False)
    round_day = Column(Integer, nullable=False)  # 0 = Monday ... 4 = Friday
    round_week = Column(String(1), nullable=False)  # "A" or "B": which fortnight the refuse bin goes
    four_weekly_phase = Column(Integer, nullable=False)  # 0 or 1: which recycling week a 4-weekly bin goes
    garden_subscribed = Column(Boolean, nullable=False)


class ServiceRequest(Base):
    """An Open311 service request (a report of a problem)."""

    __tablename__ = "service_requests"

    reference = Column(String(12), primary_key=True)  # "REP-104001"
    service_code = Column(String(40), nullable=False, index=True)
    status = Column(String(10), nullable=False)  # open, closed
    status_notes = Column(Text)
    council = Column(String(20), nullable=False)
    description = Column(Text)
    service_notice = Column(Text)
    uprn = Column(String(12), ForeignKey("properties.uprn"))
    address = Column(String(300))
    postcode = Column(String(8))
    lat = Column(Float)
    long = Column(Float)
    media_url = Column(String(1000))
    attributes = Column(Text, nullable=False, default="{}")  # JSON object: attribute code -> value(s)
    # Personal details are kept for the case (contacting the resident) and never returned or logged.
    email = Column(String(254))
    phone = Column(String(40))
    first_name = Column(String(100))
    last_name = Column(String(100))
    # Missed bins: which collection was missed, so a second report of the same one is refused.
    bin_stream = Column(String(20))
    collection_date = Column(Date)
    requested_at = Column(DateTime, nullable=False, index=True)  # naive UTC
    updated_at = Column(DateTime, nullable=False)
    expected_at = Column(DateTime)

    __table_args__ = (Index("ix_missed_collection", "uprn", "bin_stream", "collection_date"),)


class Counter(Base):
    """Named sequences (report references) that behave the same on SQLite and PostgreSQL."""

    __tablename__ = "counters"

    name = Column(String(40), primary_key=True)
    value = Column(Integer, nullable=False)


class Marker(Base):
    """Key/value facts about the database itself, such as which seed it has."""

    __tablename__ = "sandbox_markers"

    key = Column(String(40), primary_key=True)
    value = Column(String(200), nullable=False)
