"""Paying for things in a conversation: the steps every order shares, from the contact for the confirmation to
GOV.UK Pay's hosted page and back, and the Notify confirmation at the end. Each journey (bulky waste, garden waste,
bins, council tax, parking) says what its order is in an `OrderKind`; the card details never touch the chat."""
