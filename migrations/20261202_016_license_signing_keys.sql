-- The installation's licence signing identity. Every instance on the database
-- signs with the one current key (retired_at NULL); keys retired by
-- `license rotate-key` stay here so that licences they signed still verify.
-- Only public keys are stored: the private key stays in each instance's file.
CREATE TABLE license_signing_keys (
    -- the first 16 hex digits of SHA-256 over the public key's PEM
    fingerprint TEXT NOT NULL PRIMARY KEY CHECK (length(fingerprint) = 16),
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
-- At most one current key.
CREATE UNIQUE INDEX license_signing_keys_current ON license_signing_keys ((retired_at IS NULL))
    WHERE retired_at IS NULL;
