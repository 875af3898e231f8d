CREATE TABLE "audit_chain_heads" (
	"shard" smallint PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL,
	"last_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone NOT NULL,
	"actor_id" bigint,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text,
	"patient_id" bigint,
	"outcome" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"request_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"chain_shard" smallint NOT NULL,
	"chain_seq" bigint NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_outcome_ck" CHECK ("audit_events"."outcome" in ('success', 'denied', 'failure', 'error')),
	CONSTRAINT "audit_events_action_ck" CHECK ("audit_events"."action" ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
	CONSTRAINT "audit_events_hash_ck" CHECK (length("audit_events"."hash") = 64 and length("audit_events"."prev_hash") = 64)
);
--> statement-breakpoint
CREATE TABLE "patients" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "patients_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dni" text NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"surname" text NOT NULL,
	"hospital_account" text,
	"birth_date" date,
	"diabetes_type" text,
	"glucose_unit" text DEFAULT 'mg/dL' NOT NULL,
	"target_low_mg_dl" smallint DEFAULT 70 NOT NULL,
	"target_high_mg_dl" smallint DEFAULT 180 NOT NULL,
	"timezone" text DEFAULT 'America/Argentina/Buenos_Aires' NOT NULL,
	"blocked" boolean DEFAULT false NOT NULL,
	"tidepool_id" text,
	"streak_days" integer DEFAULT 0 NOT NULL,
	"max_streak_days" integer DEFAULT 0 NOT NULL,
	"times_measured" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "patients_dni_unique" UNIQUE("dni"),
	CONSTRAINT "patients_email_unique" UNIQUE("email"),
	CONSTRAINT "patients_hospital_account_unique" UNIQUE("hospital_account"),
	CONSTRAINT "patients_unit_ck" CHECK ("patients"."glucose_unit" in ('mg/dL', 'mmol/L')),
	CONSTRAINT "patients_diabetes_type_ck" CHECK ("patients"."diabetes_type" is null or "patients"."diabetes_type" in ('type1', 'type2', 'gestational', 'lada', 'mody', 'other')),
	CONSTRAINT "patients_target_ck" CHECK ("patients"."target_low_mg_dl" >= 40 and "patients"."target_high_mg_dl" <= 400 and "patients"."target_low_mg_dl" < "patients"."target_high_mg_dl")
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "staff_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"username" text NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"roles" text[] NOT NULL,
	"blocked" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_username_unique" UNIQUE("username"),
	CONSTRAINT "staff_email_unique" UNIQUE("email"),
	CONSTRAINT "staff_roles_ck" CHECK (cardinality("staff"."roles") > 0 and "staff"."roles" <@ array['clinician', 'assistant', 'admin']::text[])
);
--> statement-breakpoint
CREATE TABLE "readings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "readings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"patient_id" bigint NOT NULL,
	"value_mg_dl" numeric(5, 1) NOT NULL,
	"unit" text DEFAULT 'mg/dL' NOT NULL,
	"measured_at" timestamp with time zone NOT NULL,
	"context" text DEFAULT 'other' NOT NULL,
	"source" text NOT NULL,
	"device_id" text,
	"sequence_number" integer,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "readings_value_ck" CHECK ("readings"."value_mg_dl" between 10 and 1000),
	CONSTRAINT "readings_unit_ck" CHECK ("readings"."unit" in ('mg/dL', 'mmol/L')),
	CONSTRAINT "readings_context_ck" CHECK ("readings"."context" in ('fasting', 'breakfast', 'lunch', 'snack', 'dinner', 'exercise', 'other_meal', 'bedtime', 'other')),
	CONSTRAINT "readings_source_ck" CHECK ("readings"."source" in ('manual', 'meter', 'cgm', 'import', 'legacy'))
);
--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_chain_uq" ON "audit_events" USING btree ("chain_shard","chain_seq");--> statement-breakpoint
CREATE INDEX "audit_events_created_idx" ON "audit_events" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "audit_events_patient_idx" ON "audit_events" USING btree ("patient_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "readings_patient_measured_idx" ON "readings" USING btree ("patient_id","measured_at" DESC NULLS LAST,"id");