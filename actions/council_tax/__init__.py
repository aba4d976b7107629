"""Council tax: verify the resident, then check the account or pay towards it."""
