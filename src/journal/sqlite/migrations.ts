// Ordered schema migrations, applied by PRAGMA user_version. Never edit a shipped migration:
// append a new one. Times are integer milliseconds since the epoch (UTC) unless named *_iso.

export const MIGRATIONS: readonly string[] = [
  /* 1: the whole first schema */ `
  CREATE TABLE broadcasts (
    id               TEXT PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    name             TEXT,
    target           TEXT NOT NULL,            -- JSON: "sandbox" or {"api_url","phone_number_id"}
    spec             TEXT NOT NULL,            -- JSON MessageSpec, frozen at plan time
    source_file      TEXT,
    source_sha256    TEXT,
    rows_read        INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'open',   -- open | halted | cancelled (the rest is derived from rows)
    reason           TEXT,
    lease_owner      TEXT,
    lease_expires_at INTEGER
  );

  CREATE TABLE recipients (
    id               INTEGER PRIMARY KEY,      -- rowid: plan order is send order
    broadcast_id     TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    line             INTEGER NOT NULL,
    input            TEXT NOT NULL,
    phone            TEXT NOT NULL,            -- E.164 with '+'
    vars             TEXT,                     -- JSON of the placeholder values, frozen at plan time
    state            TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    error_code       INTEGER,
    error_title      TEXT,
    error_detail     TEXT,
    error_class      TEXT,                     -- how the last error was classified (retryable, permanent, ...)
    wamid            TEXT,
    sent_at          INTEGER,
    delivered_at     INTEGER,
    read_at          INTEGER,
    failed_at        INTEGER,
    updated_at       INTEGER,
    UNIQUE (broadcast_id, phone)
  );
  CREATE INDEX recipients_by_state ON recipients (broadcast_id, state, next_attempt_at);
  CREATE INDEX recipients_by_wamid ON recipients (wamid) WHERE wamid IS NOT NULL;

  CREATE TABLE rejections (
    id               INTEGER PRIMARY KEY,
    broadcast_id     TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    line             INTEGER NOT NULL,
    input            TEXT,
    reason           TEXT NOT NULL,
    detail           TEXT,
    duplicate_of     INTEGER                   -- line of the row this one duplicates
  );
  CREATE INDEX rejections_by_broadcast ON rejections (broadcast_id, reason);

  CREATE TABLE attempts (
    id               INTEGER PRIMARY KEY,
    recipient_id     INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    http_status      INTEGER,
    error_code       INTEGER,
    outcome          TEXT NOT NULL,            -- accepted | retryable | throttled | permanent | halt | unknown | ...
    detail           TEXT
  );
  CREATE INDEX attempts_by_recipient ON attempts (recipient_id);

  CREATE TABLE webhook_events (
    id               INTEGER PRIMARY KEY,
    dedup_key        TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,            -- status | inbound | user_preference | other
    wamid            TEXT,
    callback_data    TEXT,
    payload          TEXT NOT NULL,            -- the event as received (JSON)
    received_at      INTEGER NOT NULL,
    applied_at       INTEGER
  );
  CREATE INDEX webhook_events_pending ON webhook_events (applied_at) WHERE applied_at IS NULL;
  CREATE INDEX webhook_events_by_wamid ON webhook_events (wamid) WHERE wamid IS NOT NULL;

  CREATE TABLE optouts (
    phone            TEXT PRIMARY KEY,
    source           TEXT NOT NULL,            -- manual | import | inbound_keyword | user_preferences | error_131050
    detail           TEXT,
    created_at       INTEGER NOT NULL
  );
  `,
  /* 2: the journal port (issue 8) */ `
  -- Who claimed a row: a late answer is written only to a row its runner still owns, or to one that
  -- became unknown meanwhile (a takeover); never to a row another runner has claimed since.
  ALTER TABLE recipients ADD COLUMN claimed_by TEXT;
  -- 131056 answers so far (the next pair-rate wait is 4^hits seconds), read with the claim.
  ALTER TABLE recipients ADD COLUMN pair_rate_hits INTEGER NOT NULL DEFAULT 0;
  -- Times retry-failed queued the row again (the cron sweep leaves rows alone after a few).
  ALTER TABLE recipients ADD COLUMN retry_rounds INTEGER NOT NULL DEFAULT 0;
  UPDATE recipients SET pair_rate_hits = (SELECT count(*) FROM attempts a WHERE a.recipient_id = recipients.id AND a.error_code = 131056)
    WHERE EXISTS (SELECT 1 FROM attempts a WHERE a.recipient_id = recipients.id AND a.error_code = 131056);
  -- Exports stream in file order without sorting a million rows first.
  CREATE INDEX recipients_by_line ON recipients (broadcast_id, line);
  CREATE INDEX rejections_by_line ON rejections (broadcast_id, line);

  -- Webhook events as domain events (JSON), read by the journal without knowing Meta's format;
  -- subject: the wamid of a status, the wa_id of a preference (its other events decide together).
  ALTER TABLE webhook_events ADD COLUMN event TEXT;
  ALTER TABLE webhook_events ADD COLUMN subject TEXT;
  CREATE INDEX webhook_events_by_subject ON webhook_events (kind, subject) WHERE subject IS NOT NULL;

  -- One row per run of a broadcast (broadcast, resume, retry-failed): reports and health checks.
  CREATE TABLE runs (
    id               INTEGER PRIMARY KEY,
    broadcast_id     TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    mode             TEXT NOT NULL,
    owner            TEXT NOT NULL,
    rate             INTEGER NOT NULL,
    concurrency      INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    ended_at         INTEGER,
    outcome          TEXT,
    reason           TEXT
  );
  CREATE INDEX runs_by_broadcast ON runs (broadcast_id, started_at);
  `,
  /* 3: the already-sent guard (issue 9) */ `
  -- The identity of a recipient's message (sending number, phone, rendered message): an identical
  -- message to the same person is not sent again within --dedup-window, whichever broadcast.
  ALTER TABLE recipients ADD COLUMN message_hash TEXT;
  CREATE INDEX recipients_by_message ON recipients (message_hash) WHERE message_hash IS NOT NULL;
  `,
  /* 4: several numbers on one journal (issue 11) */ `
  -- The sending number of a broadcast (its phone number id, or 'sandbox'), the profile it was planned
  -- with, and whether its rows need a recorded opt-in.
  ALTER TABLE broadcasts ADD COLUMN sender TEXT;
  ALTER TABLE broadcasts ADD COLUMN profile TEXT;
  ALTER TABLE broadcasts ADD COLUMN require_optin INTEGER NOT NULL DEFAULT 0;
  UPDATE broadcasts SET sender = CASE WHEN target = '"sandbox"' THEN 'sandbox' ELSE json_extract(target, '$.phone_number_id') END;
  CREATE INDEX broadcasts_by_sender ON broadcasts (sender);
  -- The daily messaging limit counts recipients reached from a number in the last 24 h.
  CREATE INDEX recipients_by_sent_at ON recipients (sent_at) WHERE sent_at IS NOT NULL;
  CREATE INDEX recipients_by_phone ON recipients (phone);
  -- Metrics count the last 5 minutes of answers.
  CREATE INDEX attempts_by_finished ON attempts (finished_at);
  -- One sender per number: at most one process sends from a phone number id at a time.
  CREATE TABLE number_leases (
    sender           TEXT PRIMARY KEY,
    owner            TEXT NOT NULL,
    broadcast_id     TEXT NOT NULL,
    expires_at       INTEGER NOT NULL
  );
  -- Proof of opt-in (consent), per phone.
  CREATE TABLE optins (
    phone            TEXT PRIMARY KEY,
    source           TEXT NOT NULL,
    detail           TEXT,
    created_at       INTEGER NOT NULL
  );
  `,
  /* 5: no query reads recipients by phone alone (events look up broadcast and phone together): an
     index on it only made every plan write 1M more entries. */ `
  DROP INDEX IF EXISTS recipients_by_phone;
  `,
];
