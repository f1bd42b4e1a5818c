-- The log summaries (log_daily, log_weekly, log_daily_type) are now added by the code that inserts log rows, one upsert
-- per distinct summary row of a batch, in the same transaction. The per-row insert trigger made SQLite run every log
-- insert with a statement journal: each of the ~20 pages a row touches (table and indexes) copied to a temp file first,
-- ~100 µs per relayed request. Deletes and updates of log rows keep their triggers. A tool that inserts log rows with
-- plain SQL must add the matching summary rows itself (bench/logs_gen.sql shows how).
DROP TRIGGER IF EXISTS trg_logs_summary_insert;
