"""The hosted card page of each payment (`_links.next_url`): `/pay/secure/{token}`.

A resident enters card number, expiry date (month and year), name on the card and security code, checks the
"Confirm your payment" page and confirms; or chooses "Cancel payment" (P0030). GOV.UK Pay's test cards behave as
on Pay: 4242424242424242 succeeds, 4000000000000002 is declined and 4000000000000069 is an expired card (both
P0010); any other Luhn-valid number succeeds; a number that fails the Luhn check is an error on the page. When the
payment succeeds or fails the browser is sent (303) to the payment's return_url; Pay adds nothing to it.

The card number goes no further than this request: the page never shows it again, the database keeps only its
last 4 digits and brand, and the request log shows the path with the token masked.
"""
from __future__ import annotations

import re
from typing import Dict, Optional

from flask import Blueprint, g, redirect, request

from . import cards, pages, pay_store
from .context import current
from .money import pounds

blueprint = Blueprint("pay_page", __name__, url_prefix="/pay")

SERVICE_NAME = "Pay your council (sandbox)"
BANNER = "This is a test payment page. No money is taken: use a test card such as 4242 4242 4242 4242."

CARD_FORM = """
<h1>Enter card details</h1>
<dl class="summary">
  <div><dt>Payment for</dt><dd>{{ payment.description }}</dd></div>
  <div><dt>Total amount</dt><dd>{{ amount }}</dd></div>
</dl>
{% if errors %}
<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
  <h2 id="error-summary-title">There is a problem</h2>
  <ul>{% for field, message in errors.items() %}<li><a href="#{{ ids[field] }}">{{ message }}</a></li>{% endfor %}</ul>
</div>
{% endif %}
<form method="post" action="{{ action }}" novalidate>
  <div class="field{% if errors.card_number %} field-error{% endif %}">
    <label for="card-number">Card number</label>
    <p class="hint" id="card-number-hint">The long number on the front of your card</p>
    {% if errors.card_number %}<p class="error-message" id="card-number-error"><span class="visually-hidden">Error:</span> {{ errors.card_number }}</p>{% endif %}
    <input class="{% if errors.card_number %}invalid{% endif %}" id="card-number" name="card_number" type="text"
      inputmode="numeric" autocomplete="cc-number" spellcheck="false" value=""
      aria-describedby="card-number-hint{% if errors.card_number %} card-number-error{% endif %}"{% if errors.card_number %} aria-invalid="true"{% endif %}>
  </div>
  <div class="field{% if errors.expiry %} field-error{% endif %}">
    <fieldset role="group" aria-describedby="expiry-hint{% if errors.expiry %} expiry-error{% endif %}">
      <legend>Expiry date</legend>
      <p class="hint" id="expiry-hint">For example, 10/27</p>
      {% if errors.expiry %}<p class="error-message" id="expiry-error"><span class="visually-hidden">Error:</span> {{ errors.expiry }}</p>{% endif %}
      <div class="date-inputs">
        <div><label for="expiry-month">Month</label>
          <input class="short{% if errors.expiry %} invalid{% endif %}" id="expiry-month" name="expiry_month" type="text"
            inputmode="numeric" autocomplete="cc-exp-month" maxlength="2" value="{{ form.expiry_month }}"{% if errors.expiry %} aria-invalid="true"{% endif %}></div>
        <div><label for="expiry-year">Year</label>
          <input class="short{% if errors.expiry %} invalid{% endif %}" id="expiry-year" name="expiry_year" type="text"
            inputmode="numeric" autocomplete="cc-exp-year" maxlength="4" value="{{ form.expiry_year }}"{% if errors.expiry %} aria-invalid="true"{% endif %}></div>
      </div>
    </fieldset>
  </div>
  <div class="field{% if errors.cardholder_name %} field-error{% endif %}">
    <label for="cardholder-name">Name on card</label>
    {% if errors.cardholder_name %}<p class="error-message" id="cardholder-name-error"><span class="visually-hidden">Error:</span> {{ errors.cardholder_name }}</p>{% endif %}
    <input class="{% if errors.cardholder_name %}invalid{% endif %}" id="cardholder-name" name="cardholder_name" type="text"
      autocomplete="cc-name" spellcheck="false" value="{{ form.cardholder_name }}"{% if errors.cardholder_name %} aria-describedby="cardholder-name-error" aria-invalid="true"{% endif %}>
  </div>
  <div class="field{% if errors.cvc %} field-error{% endif %}">
    <label for="cvc">Card security code</label>
    <p class="hint" id="cvc-hint">The last 3 digits on the back of the card. American Express cards have a 4 digit code on the front.</p>
    {% if errors.cvc %}<p class="error-message" id="cvc-error"><span class="visually-hidden">Error:</span> {{ errors.cvc }}</p>{% endif %}
    <input class="short{% if errors.cvc %} invalid{% endif %}" id="cvc" name="cvc" type="text" inputmode="numeric"
      autocomplete="cc-csc" maxlength="4" value=""
      aria-describedby="cvc-hint{% if errors.cvc %} cvc-error{% endif %}"{% if errors.cvc %} aria-invalid="true"{% endif %}>
  </div>
  <button type="submit" class="button">Continue</button>
</form>
<form method="post" action="{{ cancel_action }}">
  <button type="submit" class="button secondary">Cancel payment</button>
</form>
"""

CONFIRM = """
<h1>Confirm your payment</h1>
<dl class="summary">
  <div><dt>Payment for</dt><dd>{{ payment.description }}</dd></div>
  <div><dt>Total amount</dt><dd>{{ amount }}</dd></div>
  <div><dt>Card</dt><dd>{{ payment.card_brand }} ending in {{ payment.last_digits }}</dd></div>
  <div><dt>Expiry date</dt><dd>{{ payment.expiry_date }}</dd></div>
  <div><dt>Name on card</dt><dd>{{ payment.cardholder_name }}</dd></div>
</dl>
<form method="post" action="{{ confirm_action }}">
  <button type="submit" class="button">Confirm payment</button>
</form>
<form method="post" action="{{ cancel_action }}">
  <button type="submit" class="button secondary">Cancel payment</button>
</form>
"""

FINISHED = """
<div class="panel{% if not paid %} failed{% endif %}"><h1>{{ heading }}</h1></div>
<p>{{ explanation }}</p>
<dl class="summary">
  <div><dt>Payment for</dt><dd>{{ payment.description }}</dd></div>
  <div><dt>Amount</dt><dd>{{ amount }}</dd></div>
</dl>
<p><a href="{{ payment.return_url }}">Go back to the service</a></p>
"""

NOT_FOUND = """
<h1>This page cannot be found</h1>
<p>The payment link is not right, or it has been replaced. Go back to the service you were using and start the
payment again.</p>
"""

_LONG_NUMBER = re.compile(r"\d[\d\s-]{4,}\d")  # six digits or more: not a name, month or year
FIELD_IDS = {"card_number": "card-number", "expiry": "expiry-month", "cardholder_name": "cardholder-name", "cvc": "cvc"}

_ENDINGS = {
    "success": ("Your payment was successful", "Your payment has been taken. Go back to the service to finish."),
    "P0010": ("Your payment was declined", "No money has been taken. Go back to the service to try again."),
    "P0020": ("Your payment session has expired",
              "Payments must be finished within 90 minutes. No money has been taken. Go back to the service to "
              "start again."),
    "P0030": ("Your payment was cancelled", "No money has been taken."),
    "P0040": ("This payment was cancelled", "The service cancelled this payment. No money has been taken."),
}


def _page(template: str, title: str, status: int = 200, **values):
    return pages.render(template, title=title, service_name=SERVICE_NAME, banner=BANNER, status=status, **values)


def _mask_log() -> None:
    # The token opens the payment: the request log shows where, never which.
    suffix = request.path.rsplit("/", 1)[-1]
    g.log_path = "/pay/secure/<token>" + (f"/{suffix}" if suffix in ("confirm", "cancel") else "")


def _payment(token: str):
    _mask_log()
    return pay_store.by_token(current().db, token, current().clock.now())


def _not_found():
    return _page(NOT_FOUND, "This page cannot be found", 404)


def _finished(payment):
    heading, explanation = _ENDINGS.get(payment.code or payment.status, _ENDINGS["P0010"])
    if payment.code == "P0010" and payment.message and ":" in payment.message:
        explanation = f"{payment.message.split(':', 1)[1].strip().capitalize()}. {explanation}"
    return _page(FINISHED, heading, payment=payment, amount=pounds(payment.amount), heading=heading,
                 explanation=explanation, paid=payment.status == "success")


def _card_form(payment, token: str, errors: Optional[Dict[str, str]] = None, form: Optional[Dict[str, str]] = None):
    form = form or {"cardholder_name": payment.cardholder_name or "", "expiry_month": "", "expiry_year": ""}
    return _page(CARD_FORM, "Enter card details", payment=payment, amount=pounds(payment.amount),
                 errors=errors or {}, ids=FIELD_IDS, form=form, has_errors=bool(errors),
                 action=f"{request.script_root}/pay/secure/{token}",
                 cancel_action=f"{request.script_root}/pay/secure/{token}/cancel")


def _show(payment, token: str):
    if payment.status not in pay_store.OPEN:
        return _finished(payment)
    if payment.status == "submitted":
        return _page(CONFIRM, "Confirm your payment", payment=payment, amount=pounds(payment.amount),
                     confirm_action=f"{request.script_root}/pay/secure/{token}/confirm",
                     cancel_action=f"{request.script_root}/pay/secure/{token}/cancel")
    return _card_form(payment, token)


@blueprint.post("/secure")
def secure_post():
    """GOV.UK Pay's `next_url_post`: a form with chargeTokenId, for services that POST to the page."""
    g.log_path = "/pay/secure"
    token = request.form.get("chargeTokenId", "")
    if pay_store.by_token(current().db, token, current().clock.now()) is None:
        return _not_found()
    return redirect(f"{request.script_root}/pay/secure/{token}", code=303)


@blueprint.get("/secure/<token>")
def card_page(token: str):
    payment = _payment(token)
    if payment is None:
        return _not_found()
    payment = pay_store.start(current().db, payment, current().clock.now())
    return _show(payment, token)


def _check_card(form) -> tuple:
    """(errors, card, digits): what is wrong with the form, or the card details to keep and the number."""
    errors: Dict[str, str] = {}
    typed = form.get("card_number", "")
    digits = cards.digits_of(typed)
    if not typed.strip():
        errors["card_number"] = "Enter a card number"
    elif not cards.valid_number(digits):
        errors["card_number"] = "Enter a valid card number"
    expiry = cards.parse_expiry(form.get("expiry_month", ""), form.get("expiry_year", ""))
    if not (form.get("expiry_month", "").strip() or form.get("expiry_year", "").strip()):
        errors["expiry"] = "Enter the expiry date"
    elif expiry is None:
        errors["expiry"] = "Enter a valid expiry date, for example 10/27"
    elif cards.expired(expiry[0], expiry[1], current().clock.today()):
        errors["expiry"] = "The expiry date must be in the future"
    name = " ".join(form.get("cardholder_name", "").split())
    if not name or _LONG_NUMBER.search(name):  # a card number typed in the wrong box is neither kept nor shown
        errors["cardholder_name"] = "Enter the name as it appears on the card"
    elif len(name) > 255:
        errors["cardholder_name"] = "The name on the card must be 255 characters or fewer"
    card_brand = cards.brand(digits) if "card_number" not in errors else "Unknown"
    if not cards.cvc_valid(form.get("cvc", ""), card_brand):
        errors["cvc"] = "Enter a valid card security code"
    if errors:
        return errors, None, None
    card = {
        "last_digits": digits[-4:],
        "card_brand": card_brand,
        "cardholder_name": name,
        "expiry_date": f"{expiry[0]:02d}/{expiry[1] % 100:02d}",
    }
    return errors, card, digits


@blueprint.post("/secure/<token>")
def submit_card(token: str):
    payment = _payment(token)
    if payment is None:
        return _not_found()
    if payment.status not in ("created", "started"):
        return _show(payment, token)
    errors, card, digits = _check_card(request.form)
    if errors:
        kept = {k: request.form.get(k, "")[:255] for k in ("cardholder_name", "expiry_month", "expiry_year")}
        kept = {k: "" if _LONG_NUMBER.search(v) else v for k, v in kept.items()}
        return _card_form(payment, token, errors, kept)
    outcome = cards.authorise(digits)
    del digits  # nothing below needs the number
    failure = None if outcome.authorised else (outcome.code, outcome.message)
    try:
        payment = pay_store.submit_card(current().db, payment.payment_id, current().clock.now(), card, failure)
    except pay_store.Conflict:
        payment = pay_store.get(current().db, payment.payment_id, current().clock.now())
        return _show(payment, token)
    if payment.status == "failed":
        return redirect(payment.return_url, code=303)
    return redirect(f"{request.script_root}/pay/secure/{token}", code=303)  # the confirm page, by GET


@blueprint.post("/secure/<token>/confirm")
def confirm(token: str):
    payment = _payment(token)
    if payment is None:
        return _not_found()
    try:
        payment = pay_store.confirm(current().db, payment.payment_id, current().clock.now())
    except pay_store.Conflict:
        payment = pay_store.get(current().db, payment.payment_id, current().clock.now())
        return _show(payment, token)
    return redirect(payment.return_url, code=303)


@blueprint.post("/secure/<token>/cancel")
def cancel(token: str):
    payment = _payment(token)
    if payment is None:
        return _not_found()
    try:
        payment = pay_store.cancel(current().db, payment.payment_id, current().clock.now(), by_service=False)
    except pay_store.Conflict:
        payment = pay_store.get(current().db, payment.payment_id, current().clock.now())
        return _show(payment, token)
    return redirect(payment.return_url, code=303)


RETURNED = """
<h1>You've finished on the payment page</h1>
<p>Go back to the council's chat and tell the assistant <strong>“I've paid”</strong> (or press the button there).
The assistant checks with the payment service whether your payment went through, then confirms it.</p>
<p>If you closed the chat, open it again on the council's website: your conversation is still there.</p>
"""


@blueprint.get("/returned/<token>")
def returned(token: str):
    """The default PAY_RETURN_URL_BASE of the actions: where a resident lands after the card page when the
    deployment has not pointed it at the page that hosts the chat. It tells them how to carry on; nothing here
    decides the outcome (the assistant asks Pay)."""
    g.log_path = "/pay/returned/<token>"
    return _page(RETURNED, "Back to the chat")
