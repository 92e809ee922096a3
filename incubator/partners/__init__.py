"""Partner parks abroad and the users who act for them; MOUs and exports come later."""
