-- Two log indexes no longer hold the rows nobody looks up through them: by default no client IP is recorded (it is a
-- per-user setting) and many OpenAI-compatible servers send no request id, so most consume rows have an empty ip and
-- upstream_request_id. Keeping those rows in the two indexes cost the batch writer about a microsecond per row each.
-- Lookups by a non-empty value read the partial indexes as before (the query repeats the "<> ''" condition so SQLite
-- can use them).
DROP INDEX IF EXISTS idx_logs_upstream_request_id;
CREATE INDEX idx_logs_upstream_request_id ON logs(upstream_request_id) WHERE upstream_request_id <> '';
DROP INDEX IF EXISTS idx_logs_ip;
CREATE INDEX idx_logs_ip ON logs(ip) WHERE ip <> '';
