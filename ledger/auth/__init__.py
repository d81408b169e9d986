"""Users, sessions, rotating refresh tokens and the per-user token version."""
