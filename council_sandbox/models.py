"""Database tables: properties (by UPRN), problem reports (Open311 requests), counters and seed markers; card
payments (Pay), templates and notifications (Notify); and the council's records that payments are applied to
(council tax sessions and failed verifications, PCNs, bulky waste bookings, garden waste subscriptions, bin
requests)."""
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


class SubmissionKey(Base):
    """A report's submission key (`attribute[submission_key]`): the sender's own unique key for one report.

    A sender that could not tell whether its report arrived (a timeout) sends it again with the same key and gets
    the same reference, so a report is never made twice; and it can look the report up by the key. A separate
    table, so a sandbox database made before keys existed gains it without a migration.
    """

    __tablename__ = "submission_keys"

    key = Column(String(64), primary_key=True)
    reference = Column(String(12), ForeignKey("service_requests.reference"), nullable=False, index=True)


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


# -- GOV.UK Pay-compatible payments (pay.py, pay_store.py, pay_page.py) -----------------------------------------------


class Payment(Base):
    """A card payment as GOV.UK Pay keeps it. Card numbers are never stored: only the last 4 digits and the brand."""

    __tablename__ = "pay_payments"

    payment_id = Column(String(26), primary_key=True)
    secure_token = Column(String(64), nullable=False, unique=True)  # the hosted page's address: /pay/secure/{token}
    amount = Column(Integer, nullable=False)  # pence
    reference = Column(String(255), nullable=False, index=True)
    description = Column(String(255), nullable=False)
    return_url = Column(String(2000), nullable=False)
    email = Column(String(254))
    language = Column(String(2), nullable=False, default="en")
    payment_metadata = Column("metadata", Text)  # JSON object or NULL
    status = Column(String(12), nullable=False)  # created, started, submitted, success, failed, cancelled
    code = Column(String(5))  # P0010, P0020, P0030, P0040 when failed or cancelled
    message = Column(String(200))
    card_brand = Column(String(40))
    last_digits = Column(String(4))
    cardholder_name = Column(String(255))
    expiry_date = Column(String(5))  # MM/YY
    created_at = Column(DateTime, nullable=False, index=True)  # naive UTC, sandbox clock
    updated_at = Column(DateTime, nullable=False)
    finished_at = Column(DateTime)


# -- GOV.UK Notify-compatible notifications (notify.py, notify_templates.py) -----------------------------------------


class NotifyTemplate(Base):
    __tablename__ = "notify_templates"

    id = Column(String(36), primary_key=True)
    name = Column(String(200), nullable=False)
    type = Column(String(5), nullable=False)  # email, sms
    subject = Column(Text)  # email only
    body = Column(Text, nullable=False)
    version = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)


class Notification(Base):
    """A sent email or text message, as the outbox shows it. `seq` orders them (the clock may be fixed)."""

    __tablename__ = "notify_notifications"

    seq = Column(Integer, primary_key=True, autoincrement=True)
    id = Column(String(36), nullable=False, unique=True)
    type = Column(String(5), nullable=False)
    template_id = Column(String(36), nullable=False)
    template_version = Column(Integer, nullable=False)
    email_address = Column(String(320))
    phone_number = Column(String(30))
    reference = Column(String(1000), index=True)
    subject = Column(Text)
    body = Column(Text, nullable=False)
    status = Column(String(30), nullable=False)
    created_at = Column(DateTime, nullable=False)  # naive UTC
    sent_at = Column(DateTime)
    completed_at = Column(DateTime)


# -- Council services: payments applied, council tax, PCNs, bulky waste, garden waste, bins -------------------------


class CouncilPayment(Base):
    """A successful Pay payment linked (by its metadata) to something the council charges for."""

    __tablename__ = "council_payments"

    seq = Column(Integer, primary_key=True, autoincrement=True)  # the order they came in (the clock may be fixed)
    payment_id = Column(String(26), nullable=False, unique=True)
    service = Column(String(20), nullable=False)  # council_tax, pcn, bulky_waste, garden_waste, bin_request
    reference = Column(String(40), nullable=False)  # account number, PCN or booking reference
    amount = Column(Integer, nullable=False)
    applied = Column(Boolean, nullable=False)
    note = Column(String(300))
    paid_at = Column(DateTime, nullable=False)  # naive UTC

    __table_args__ = (Index("ix_council_payment_item", "service", "reference"),)


class CouncilTaxSession(Base):
    """A verification token (kept as its SHA-256) and the account it opens, until `expires_at` (real time, UTC)."""

    __tablename__ = "council_tax_sessions"

    token_hash = Column(String(64), primary_key=True)
    account_number = Column(String(8), nullable=False)
    expires_at = Column(DateTime, nullable=False, index=True)


class CouncilTaxFailure(Base):
    """A failed council tax verification of an account number (as sent, normalised), by the sandbox clock. Enough
    of them within a short window lock that account's verification for a while, as a council's own system does."""

    __tablename__ = "council_tax_failures"

    seq = Column(Integer, primary_key=True, autoincrement=True)
    account_number = Column(String(20), nullable=False)  # counted whether or not such an account exists
    failed_at = Column(DateTime, nullable=False)  # naive UTC, sandbox clock

    __table_args__ = (Index("ix_council_tax_failure_account", "account_number", "failed_at"),)


class PenaltyChargeNotice(Base):
    __tablename__ = "pcns"

    pcn = Column(String(10), primary_key=True)  # two letters and eight digits
    council = Column(String(20), nullable=False)
    vrm = Column(String(10), nullable=False)  # vehicle registration, upper case without spaces
    contravention_code = Column(String(4), nullable=False)
    location = Column(String(200), nullable=False)
    issued_at = Column(DateTime, nullable=False)  # naive UTC
    status = Column(String(10), nullable=False)  # unpaid, paid, cancelled
    status_reason = Column(String(300))
    paid_amount = Column(Integer)
    closed_at = Column(DateTime)


class BulkyBooking(Base):
    __tablename__ = "bulky_bookings"

    reference = Column(String(12), primary_key=True)  # BWC-300001
    uprn = Column(String(12), ForeignKey("properties.uprn"), nullable=False, index=True)
    council = Column(String(20), nullable=False)
    round_id = Column(String(40), nullable=False)
    slot_date = Column(Date, nullable=False)
    items = Column(Text, nullable=False)  # JSON list of {id, name, quantity, unit_price, price}
    item_count = Column(Integer, nullable=False)
    amount = Column(Integer, nullable=False)
    status = Column(String(20), nullable=False)  # pending_payment, confirmed, cancelled, expired
    location_notes = Column(String(500))
    # Contact details are kept for the crew and never returned or logged.
    contact_name = Column(String(100))
    contact_email = Column(String(254))
    contact_phone = Column(String(40))
    created_at = Column(DateTime, nullable=False)
    hold_until = Column(DateTime, nullable=False)
    paid_at = Column(DateTime)
    cancelled_at = Column(DateTime)
    payment_id = Column(String(26))

    __table_args__ = (Index("ix_bulky_slot", "round_id", "slot_date", "status"),)


class GardenSubscription(Base):
    __tablename__ = "garden_subscriptions"

    reference = Column(String(12), primary_key=True)  # GWS-400001
    uprn = Column(String(12), ForeignKey("properties.uprn"), nullable=False, index=True)
    council = Column(String(20), nullable=False)
    season_start = Column(Integer, nullable=False)  # 2026 for 1 April 2026 to 31 March 2027
    bins = Column(Integer, nullable=False)
    amount = Column(Integer, nullable=False)
    status = Column(String(20), nullable=False)  # pending_payment, active, cancelled, expired
    contact_email = Column(String(254))
    contact_phone = Column(String(40))
    created_at = Column(DateTime, nullable=False)
    hold_until = Column(DateTime, nullable=False)
    paid_at = Column(DateTime)
    cancelled_at = Column(DateTime)
    payment_id = Column(String(26))


class BinRequest(Base):
    __tablename__ = "bin_requests"

    reference = Column(String(12), primary_key=True)  # BIN-500001
    uprn = Column(String(12), ForeignKey("properties.uprn"), nullable=False, index=True)
    council = Column(String(20), nullable=False)
    stream = Column(String(20), nullable=False)
    request_type = Column(String(20), nullable=False)  # replacement, extra, larger, new_property
    reason = Column(String(20))  # damaged, stolen, lost (replacement)
    quantity = Column(Integer, nullable=False)
    amount = Column(Integer, nullable=False)
    status = Column(String(20), nullable=False)  # pending_payment, requested, cancelled, expired
    contact_email = Column(String(254))
    contact_phone = Column(String(40))
    created_at = Column(DateTime, nullable=False)
    hold_until = Column(DateTime, nullable=False)
    paid_at = Column(DateTime)
    cancelled_at = Column(DateTime)
    payment_id = Column(String(26))
