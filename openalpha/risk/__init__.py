"""Risk rules: each returns allow / resize / deny with a reason; unknown state denies (floor 3)."""
