-- Account hardening (issue 12). API tokens expire and are revoked one by one;
-- usernames are unique without regard to case and width.

-- A token's end of life as Unix seconds, so that both dialects compare it
-- the same way (src/auth.c shows it as ISO 8601). Tokens made before tokens
-- expired get the default lifetime, 90 days, from this migration: none lives
-- for ever.
ALTER TABLE api_tokens ADD COLUMN expires_epoch INTEGER;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT;
UPDATE api_tokens SET expires_epoch = CAST(strftime('%s', 'now') AS INTEGER) + 90 * 86400
    WHERE expires_epoch IS NULL;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- The username's look-alike key: NFKC, case-folded (src/ident.c). The
-- migration cannot compute it; `safecomm init` fills it for existing rows
-- (users_keys_backfill) and every new user gets one from users_create.
ALTER TABLE users ADD COLUMN username_key TEXT;
CREATE UNIQUE INDEX users_lookalike ON users(username_key);
