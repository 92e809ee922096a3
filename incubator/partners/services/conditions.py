"""The partnership rules that decide what may be shared, each written once as SQL: a consent
that is live, and an MOU in force. Every export, referral, suggestion, list and reminder
uses these (with the table aliases `c` and `m`)."""

# A consent not withdrawn and not past its last day; the day is the one parameter.
LIVE_CONSENT = "c.withdrawn_at IS NULL AND (c.expires_on IS NULL OR c.expires_on >= {})"

# An active MOU signed on or before the day and expiring on or after it; pass the day twice.
MOU_IN_FORCE = "m.status = 'active' AND m.signed_on <= {} AND m.expires_on >= {}"
