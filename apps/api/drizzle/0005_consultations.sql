CREATE TABLE "appointment_resolutions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "appointment_resolutions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"appointment_id" bigint NOT NULL,
	"revision" integer NOT NULL,
	"author_staff_id" bigint NOT NULL,
	"change_basal_type" text,
	"change_basal_dose_units" double precision,
	"change_basal_time" text,
	"change_fast_type" text,
	"change_ratio_grams_per_unit" double precision,
	"change_sensitivity_mg_dl_per_unit" double precision,
	"emergency_care" boolean NOT NULL,
	"in_person_visit_needed" boolean NOT NULL,
	"glucose_scale" jsonb,
	"notes" text,
	"correction_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointment_resolutions_revision_ck" CHECK ("appointment_resolutions"."revision" >= 1),
	CONSTRAINT "appointment_resolutions_correction_ck" CHECK (("appointment_resolutions"."revision" = 1) = ("appointment_resolutions"."correction_reason" is null)),
	CONSTRAINT "appointment_resolutions_time_ck" CHECK ("appointment_resolutions"."change_basal_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
	CONSTRAINT "appointment_resolutions_notes_ck" CHECK (char_length("appointment_resolutions"."notes") <= 4000)
);
--> statement-breakpoint
CREATE TABLE "appointments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "appointments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" bigint NOT NULL,
	"patient_id" bigint NOT NULL,
	"glucose_objective_mg_dl" double precision NOT NULL,
	"insulin_type" text NOT NULL,
	"dose_units" double precision NOT NULL,
	"fast_insulin" text NOT NULL,
	"fixed_dose_units" double precision NOT NULL,
	"ratio_grams_per_unit" double precision NOT NULL,
	"sensitivity_mg_dl_per_unit" double precision NOT NULL,
	"pump_type" text NOT NULL,
	"another_treatment" text,
	"control_data" text,
	"motive" text[] NOT NULL,
	"other_motive" text,
	"resolution_revision" integer,
	"resolved_at" timestamp with time zone,
	"emergency_care" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointments_request_id_unique" UNIQUE("request_id"),
	CONSTRAINT "appointments_objective_ck" CHECK ("appointments"."glucose_objective_mg_dl" between 40 and 400),
	CONSTRAINT "appointments_dose_ck" CHECK ("appointments"."dose_units" > 0 and "appointments"."dose_units" <= 300),
	CONSTRAINT "appointments_fixed_dose_ck" CHECK ("appointments"."fixed_dose_units" between 0 and 300),
	CONSTRAINT "appointments_ratio_ck" CHECK ("appointments"."ratio_grams_per_unit" > 0 and "appointments"."ratio_grams_per_unit" <= 150),
	CONSTRAINT "appointments_sensitivity_ck" CHECK ("appointments"."sensitivity_mg_dl_per_unit" > 0 and "appointments"."sensitivity_mg_dl_per_unit" <= 500),
	CONSTRAINT "appointments_motive_ck" CHECK (cardinality("appointments"."motive") between 1 and 6 and "appointments"."motive" <@ array['AJUSTE', 'HIPOGLUCEMIA', 'HIPERGLUCEMIA', 'CETOSIS', 'DUDAS', 'OTRO']::text[])
);
--> statement-breakpoint
CREATE TABLE "note_amendments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "note_amendments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"note_id" bigint NOT NULL,
	"author_staff_id" bigint NOT NULL,
	"text" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "note_amendments_text_ck" CHECK (char_length("note_amendments"."text") between 1 and 10000),
	CONSTRAINT "note_amendments_reason_ck" CHECK (char_length("note_amendments"."reason") <= 500)
);
--> statement-breakpoint
CREATE TABLE "notes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"patient_id" bigint NOT NULL,
	"author_staff_id" bigint NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notes_text_ck" CHECK (char_length("notes"."text") between 1 and 10000)
);
--> statement-breakpoint
CREATE TABLE "queue_request_transitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "queue_request_transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" bigint NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_staff_id" bigint,
	"actor_patient_id" bigint,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_request_transitions_to_ck" CHECK ("queue_request_transitions"."to_state" in ('pending', 'accepted', 'denied', 'created', 'resolved', 'cancelled', 'closed')),
	CONSTRAINT "queue_request_transitions_role_ck" CHECK ("queue_request_transitions"."actor_role" in ('patient', 'clinician', 'assistant', 'admin', 'system')),
	CONSTRAINT "queue_request_transitions_actor_ck" CHECK (num_nonnulls("queue_request_transitions"."actor_staff_id", "queue_request_transitions"."actor_patient_id") <= 1),
	CONSTRAINT "queue_request_transitions_reason_ck" CHECK (char_length("queue_request_transitions"."reason") <= 500)
);
--> statement-breakpoint
CREATE TABLE "queue_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "queue_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"patient_id" bigint NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"queue_day" integer NOT NULL,
	"placement" integer NOT NULL,
	"motive" text[] DEFAULT '{}'::text[] NOT NULL,
	"other_motive" text,
	"note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"decided_by_staff_id" bigint,
	"decided_at" timestamp with time zone,
	"decision_reason" text,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_requests_state_ck" CHECK ("queue_requests"."state" in ('pending', 'accepted', 'denied', 'created', 'resolved', 'cancelled', 'closed')),
	CONSTRAINT "queue_requests_released_ck" CHECK ("queue_requests"."state" not in ('cancelled', 'closed') or "queue_requests"."released_at" is not null),
	CONSTRAINT "queue_requests_placement_ck" CHECK ("queue_requests"."placement" >= 0 and "queue_requests"."queue_day" >= 1),
	CONSTRAINT "queue_requests_motive_ck" CHECK (cardinality("queue_requests"."motive") <= 6 and "queue_requests"."motive" <@ array['AJUSTE', 'HIPOGLUCEMIA', 'HIPERGLUCEMIA', 'CETOSIS', 'DUDAS', 'OTRO']::text[]),
	CONSTRAINT "queue_requests_other_motive_ck" CHECK (char_length("queue_requests"."other_motive") <= 200),
	CONSTRAINT "queue_requests_note_ck" CHECK (char_length("queue_requests"."note") <= 500),
	CONSTRAINT "queue_requests_reason_ck" CHECK (char_length("queue_requests"."decision_reason") <= 500)
);
--> statement-breakpoint
CREATE TABLE "queue_settings" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"open" boolean DEFAULT true NOT NULL,
	"capacity" integer DEFAULT 15 NOT NULL,
	"day" integer DEFAULT 1 NOT NULL,
	"day_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_placement" integer DEFAULT 0 NOT NULL,
	"schedule_key" text,
	"auto_reset_key" text,
	"updated_by_staff_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_settings_singleton_ck" CHECK ("queue_settings"."id" = 1),
	CONSTRAINT "queue_settings_capacity_ck" CHECK ("queue_settings"."capacity" between 0 and 10000),
	CONSTRAINT "queue_settings_day_ck" CHECK ("queue_settings"."day" >= 1 and "queue_settings"."next_placement" >= 0)
);
--> statement-breakpoint
ALTER TABLE "appointment_resolutions" ADD CONSTRAINT "appointment_resolutions_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointment_resolutions" ADD CONSTRAINT "appointment_resolutions_author_staff_id_staff_id_fk" FOREIGN KEY ("author_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_request_id_queue_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."queue_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "note_amendments" ADD CONSTRAINT "note_amendments_note_id_notes_id_fk" FOREIGN KEY ("note_id") REFERENCES "public"."notes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "note_amendments" ADD CONSTRAINT "note_amendments_author_staff_id_staff_id_fk" FOREIGN KEY ("author_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_author_staff_id_staff_id_fk" FOREIGN KEY ("author_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_request_transitions" ADD CONSTRAINT "queue_request_transitions_request_id_queue_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."queue_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_request_transitions" ADD CONSTRAINT "queue_request_transitions_actor_staff_id_staff_id_fk" FOREIGN KEY ("actor_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_request_transitions" ADD CONSTRAINT "queue_request_transitions_actor_patient_id_patients_id_fk" FOREIGN KEY ("actor_patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_requests" ADD CONSTRAINT "queue_requests_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_requests" ADD CONSTRAINT "queue_requests_decided_by_staff_id_staff_id_fk" FOREIGN KEY ("decided_by_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_settings" ADD CONSTRAINT "queue_settings_updated_by_staff_id_staff_id_fk" FOREIGN KEY ("updated_by_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appointment_resolutions_revision_uq" ON "appointment_resolutions" USING btree ("appointment_id","revision");--> statement-breakpoint
CREATE INDEX "appointments_patient_idx" ON "appointments" USING btree ("patient_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "appointments_created_idx" ON "appointments" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "note_amendments_note_idx" ON "note_amendments" USING btree ("note_id","id");--> statement-breakpoint
CREATE INDEX "notes_patient_idx" ON "notes" USING btree ("patient_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "queue_request_transitions_request_idx" ON "queue_request_transitions" USING btree ("request_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_requests_current_patient_uq" ON "queue_requests" USING btree ("patient_id") WHERE "queue_requests"."released_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_requests_day_placement_uq" ON "queue_requests" USING btree ("queue_day","placement");--> statement-breakpoint
CREATE INDEX "queue_requests_active_idx" ON "queue_requests" USING btree ("queue_day","state","placement") WHERE "queue_requests"."state" in ('pending', 'accepted', 'created');--> statement-breakpoint
CREATE INDEX "queue_requests_patient_idx" ON "queue_requests" USING btree ("patient_id","created_at" DESC NULLS LAST);--> statement-breakpoint
-- The queue is one row (id 1): open, 15 active requests (the clinic's daily size on the old
-- back-office), day 1, placements from 0. Submits and resets lock this row.
INSERT INTO "queue_settings" ("id", "open", "capacity", "day", "next_placement") VALUES (1, true, 15, 1, 0);
