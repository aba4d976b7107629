"""Groups of NLU labels that journeys treat alike."""

# A resident who says one of these mid-form means it: it is never taken as the answer to a question.
ALWAYS_INTERRUPT = frozenset({"cancel", "urgent_help", "request_human", "bot_challenge", "card_number_removed"})
# The staff console's hand-back ("EXTERNAL: handover_returned"): never an answer to the question staff interrupted.
ALWAYS_INTERRUPT |= {"handover_returned", "handover_timed_out", "handover_closed"}

QUESTIONS = frozenset(
    {
        "ask_opening_hours",
        "ask_contact_details",
        "ask_recycling",
        "ask_council_tax_discount",
        "ask_housing",
        "ask_benefits",
        "ask_planning",
        "ask_digital_support",
    }
)

# Journeys that book or pay; their answers in councils/*.yml are still given when asked mid-journey.
PAID_JOURNEYS = frozenset(
    {
        "book_bulky_waste",
        "garden_waste_subscription",
        "request_new_bin",
        "pay_council_tax",
        "check_council_tax",
        "pay_parking_fine",
    }
)

PROBLEM_REPORTS = {
    "report_flytipping": "flytipping",
    "report_dog_fouling": "dog_fouling",
    "report_graffiti": "graffiti",
    "report_noise": "noise",
    "report_abandoned_vehicle": "abandoned_vehicle",
}

JOURNEY_STARTS = frozenset(
    set(PROBLEM_REPORTS)
    | {"report_missed_bin", "report_pothole", "report_street_light", "check_report_status", "check_bin_day"}
    | PAID_JOURNEYS
)

# Other intents interrupt a form only when the model is this sure: "loud music every night" answering a noise
# question looks like report_noise, and must stay an answer.
CONFIDENT_INTERRUPTION = 0.8
