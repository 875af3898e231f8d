-- The audit trail is append-only, enforced by the database itself so that neither a bug nor a
-- compromised application path can rewrite history. Retention (deleting old rows) will be a
-- separate, audited, privileged procedure; it is not possible through the application role.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
-- One head per possible chain shard (AUDIT_CHAIN_SHARDS is at most 256), each starting at the
-- genesis hash (64 zeros), so a writer never has to create its head row.
INSERT INTO "audit_chain_heads" ("shard", "last_seq", "last_hash")
SELECT s, 0, repeat('0', 64) FROM generate_series(0, 255) AS s;
