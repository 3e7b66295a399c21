"""API-key vault (AES-256-GCM, scrypt), password hashing, log redaction (floor 2)."""
