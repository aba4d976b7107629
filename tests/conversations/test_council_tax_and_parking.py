"""Council tax (verify, then check or pay) and parking fines, end to end over the REST channel with the sandbox's
records, Pay and Notify as a real server. Nothing about an account is shown before verification."""
from __future__ import annotations

from typing import Any, Dict, Tuple

import requests

from council_sandbox.council_tax import account_number_for
from council_sandbox.testing import pay_with_card
from tests.conversations.helpers import home, notifications, pay_link, payments_for


def account_with_balance(sandbox_url: str, skip: int) -> Tuple[Dict[str, Any], str, Dict[str, Any]]:
    """A property whose council tax has something left to pay, more than its next instalment."""
    for extra in range(40):
        house = home(sandbox_url, "ok", "refuse", "chorley", skip=skip + extra)
        number = account_number_for(house["uprn"])
        answer = requests.post(f"{sandbox_url}/council/v1/council-tax/verify", timeout=10,
                               json={"account_number": number, "postcode": house["postcode"]}).json()
        summary = answer["account"]
        if summary["next_instalment"] and summary["balance"] > summary["next_instalment"]["amount"]:
            return house, number, summary
    raise AssertionError("no account with a balance")


def money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def test_council_tax_is_paid_only_after_verifying(conversation, sandbox):
    house, number, summary = account_with_balance(sandbox.url, skip=40)
    conversation.say("I want to pay my council tax")
    assert "account number" in conversation.text(), conversation.text()
    conversation.say(f"{number[:4]} {number[4:]}")  # as printed on the bill
    assert "postcode" in conversation.text() and money(summary["balance"]) not in conversation.text()
    conversation.say(house["postcode"].lower())
    said = conversation.text()
    assert "verified" in said and money(summary["balance"]) in said, said
    instalment = summary["next_instalment"]["amount"]
    conversation.press("The instalment")
    conversation.say("no")  # no confirmation message
    assert money(instalment) in conversation.text() and f"ending {number[-4:]}" in conversation.text()
    conversation.press("Yes, pay")
    link = pay_link(conversation.text())
    assert link, conversation.text()
    assert pay_with_card(link).status_code == 303
    conversation.say("ive paid it")
    said = conversation.text()
    assert "went through" in said and money(instalment) in said, said
    paid = [p for p in payments_for(sandbox.url, number) if p["state"]["status"] == "success"]
    assert [p["amount"] for p in paid] == [instalment]
    # The records now show the payment: the balance went down by exactly the amount shown.
    again = requests.post(f"{sandbox.url}/council/v1/council-tax/verify", timeout=10,
                          json={"account_number": number, "postcode": house["postcode"]}).json()["account"]
    assert again["balance"] == summary["balance"] - instalment


def test_another_amount_must_be_within_the_limits(conversation, sandbox):
    house, number, summary = account_with_balance(sandbox.url, skip=45)
    conversation.say("pay council tax")
    conversation.say(number)
    conversation.say(house["postcode"])
    conversation.say(money(summary["balance"] + 100))
    assert "You can pay between" in conversation.text(), conversation.text()
    conversation.say("£10")
    conversation.say("no")
    assert "£10.00" in conversation.text()
    conversation.press("Yes, pay")
    first = pay_link(conversation.text())
    # Asking to pay again while that payment is open shows the same payment: never a second one.
    conversation.say("pay council tax")
    assert pay_link(conversation.text()) == first, conversation.text()
    # So does a new journey in the same conversation, for the same account and amount.
    conversation.say("when is my bin day")
    conversation.say("cancel")
    conversation.say("pay council tax")
    assert "account number" not in conversation.text(), "still verified in this conversation"
    conversation.say("£10")
    conversation.say("no")
    conversation.press("Yes, pay")
    assert pay_link(conversation.text()) == first
    assert len(payments_for(sandbox.url, number)) == 1


def test_three_wrong_verifications_end_the_attempt_without_saying_which_was_wrong(conversation, sandbox):
    house, number, _ = account_with_balance(sandbox.url, skip=50)
    wrong_account = ("1" if number[0] != "1" else "2") + number[1:]
    conversation.say("check my council tax balance")
    conversation.say(wrong_account)
    conversation.say(house["postcode"])  # right postcode, wrong account
    first = conversation.text()
    conversation.say(number)
    conversation.say("PR7 1AA")  # right account, wrong postcode
    second = conversation.text()
    assert first.split(" You have")[0] == second.split(" You have")[0], "the same words whichever detail was wrong"
    assert "account number" in first and "2 more tries" in first and "1 more try" in second
    conversation.say(number)
    conversation.say("PR25 1AA")
    said = conversation.text()
    assert "third try" in said and "Band" not in said
    # No more tries in this conversation, even with the right details.
    conversation.say("check my council tax")
    assert "can't check council tax details again" in conversation.text(), conversation.text()
    conversation.say(number)
    assert "Band" not in conversation.text()
    assert conversation.slot("ct_token") is None


def test_checking_council_tax_shows_the_account_after_verifying(conversation, sandbox):
    house, number, summary = account_with_balance(sandbox.url, skip=55)
    conversation.say("what band is my council tax")
    assert "Band" not in conversation.text()
    conversation.say(f"{number} {house['postcode']}")  # both at once
    said = conversation.text()
    assert f"Band **{summary['band']}**" in said and money(summary["balance"]) in said, said
    assert conversation.active_form() is None


def test_a_new_conversation_must_verify_again(conversation, sandbox, rasa_server):
    from tests.stack import API_TOKEN, Conversation

    house, number, _ = account_with_balance(sandbox.url, skip=60)
    conversation.say("check council tax")
    conversation.say(number)
    conversation.say(house["postcode"])
    assert "Band" in conversation.text()
    # A new session of the same conversation (what an hour's silence gives; a typed /session_start is only words).
    requests.post(f"{rasa_server}/conversations/{conversation.sender}/execute", params=API_TOKEN, timeout=60,
                  json={"name": "action_session_start"}).raise_for_status()
    conversation.say("check council tax")
    assert "account number" in conversation.text(), conversation.text()
    stranger = Conversation(rasa_server)
    stranger.say("check council tax")
    assert "account number" in stranger.text()


def test_a_parking_fine_is_paid_at_the_discounted_amount(conversation, sandbox):
    conversation.say("I want to pay a parking ticket")
    assert "PCN" in conversation.text(), conversation.text()
    conversation.say("CH40213377")
    conversation.say("pf19 kzw")
    said = conversation.text()
    assert "£25.00" in said and "reduced amount" in said, said  # a lower-level contravention, issued 3 days ago
    conversation.say("pcn@example.com")
    conversation.press("Yes, pay £25.00")
    assert pay_with_card(pay_link(conversation.text())).status_code == 303
    conversation.press("I've paid")
    assert "went through" in conversation.text() and "CH40213377" in conversation.text()
    pcn = requests.get(f"{sandbox.url}/council/v1/pcns/CH40213377", params={"vrm": "PF19KZW"}, timeout=10).json()
    assert pcn["status"] == "paid" and pcn["paid_amount"] == 2500
    sent = notifications(sandbox.url, "CH40213377")
    assert len(sent) == 1 and "£25.00" in sent[0]["body"]
    # Paying it again gets a clear answer, and no payment page.
    conversation.say("pay parking fine CH40213377")
    conversation.say("PF19KZW")
    assert "paid" in conversation.text().lower() and pay_link(conversation.text()) is None


def test_a_paid_or_unknown_pcn_gets_a_clear_answer(conversation, sandbox):
    conversation.say("pay a pcn")
    conversation.say("CH40212904")
    conversation.say("MA68 TVU")
    assert "paid" in conversation.text().lower() and pay_link(conversation.text()) is None, conversation.text()
    conversation.say("I need to pay a parking fine")
    conversation.say("CH40213561")
    conversation.say("AB12 CDE")  # not the vehicle on that notice
    said = conversation.text()
    assert "couldn't find a penalty charge notice" in said, said
    assert conversation.slot("requested_slot") == "pcn_number"
    conversation.say("SR70018519")
    conversation.say("BJ66 FNE")
    # A higher-level contravention issued 20 days ago: the full £70.00.
    assert "£70.00" in conversation.text() and "discount has ended" in conversation.text(), conversation.text()
