"""HTML pages of the partnership: partner parks and MOUs for staff, referrals, the partner
portal, a start-up's sharing page."""
