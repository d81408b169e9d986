"""A second factor: TOTP with recovery codes, passkeys (WebAuthn), the login challenge and step-up (issue 18)."""
