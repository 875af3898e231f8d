CREATE TABLE "achievements" (
	"id" smallint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"attribute" text NOT NULL,
	"threshold" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "achievements_attribute_ck" CHECK ("achievements"."attribute" in ('times_measured', 'max_streak')),
	CONSTRAINT "achievements_threshold_ck" CHECK ("achievements"."threshold" > 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"route" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" smallint NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "reading_day_summaries" (
	"patient_id" bigint NOT NULL,
	"day" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"valued_count" integer DEFAULT 0 NOT NULL,
	"sum_mg_dl" double precision DEFAULT 0 NOT NULL,
	"sum_sq_mg_dl" double precision DEFAULT 0 NOT NULL,
	"very_low" integer DEFAULT 0 NOT NULL,
	"low" integer DEFAULT 0 NOT NULL,
	"in_range" integer DEFAULT 0 NOT NULL,
	"high" integer DEFAULT 0 NOT NULL,
	"very_high" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reading_day_summaries_patient_id_day_pk" PRIMARY KEY("patient_id","day")
);
--> statement-breakpoint
DROP INDEX "readings_patient_measured_idx";--> statement-breakpoint
ALTER TABLE "readings" ALTER COLUMN "value_mg_dl" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "four_times_today" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "counter_day" date;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "streak_last_date" date;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "readings_change_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "last_reading_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "range_flag" text;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "device_time" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "sample_type" text;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "sample_location" text;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "entered_by_kind" text DEFAULT 'patient' NOT NULL;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "entered_by_id" bigint;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "change_seq" bigint;--> statement-breakpoint
-- Hand-edited: readings that exist already (a seeded demo database) get feed positions in id order.
UPDATE "readings" r SET "change_seq" = s.n
  FROM (SELECT "id", row_number() OVER (PARTITION BY "patient_id" ORDER BY "id") AS n FROM "readings") s
  WHERE s."id" = r."id";--> statement-breakpoint
ALTER TABLE "readings" ALTER COLUMN "change_seq" SET NOT NULL;--> statement-breakpoint
UPDATE "readings" SET "device_time" = "measured_at" WHERE "device_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "readings" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reading_day_summaries" ADD CONSTRAINT "reading_day_summaries_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "reading_day_summaries_day_idx" ON "reading_day_summaries" USING btree ("day");--> statement-breakpoint
CREATE UNIQUE INDEX "readings_patient_change_seq_uq" ON "readings" USING btree ("patient_id","change_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "readings_device_seq_uq" ON "readings" USING btree ("patient_id","device_id","sequence_number","device_time") WHERE "readings"."device_id" is not null and "readings"."sequence_number" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "readings_device_time_uq" ON "readings" USING btree ("patient_id","device_id","device_time") WHERE "readings"."device_id" is not null and "readings"."sequence_number" is null;--> statement-breakpoint
CREATE INDEX "readings_patient_measured_idx" ON "readings" USING btree ("patient_id","measured_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "readings"."deleted_at" is null;--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_value_or_flag_ck" CHECK (("readings"."value_mg_dl" is null) = ("readings"."range_flag" is not null));--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_flag_ck" CHECK ("readings"."range_flag" in ('LO', 'HI'));--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_sample_type_ck" CHECK ("readings"."sample_type" in ('capillary_whole_blood', 'capillary_plasma', 'venous_whole_blood', 'venous_plasma', 'arterial_whole_blood', 'arterial_plasma', 'undetermined_whole_blood', 'undetermined_plasma', 'interstitial_fluid', 'control_solution', 'unknown'));--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_sample_location_ck" CHECK ("readings"."sample_location" in ('finger', 'alternate_site', 'earlobe', 'control_solution', 'unknown'));--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_sequence_ck" CHECK ("readings"."sequence_number" >= 0);--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_notes_ck" CHECK (char_length("readings"."notes") <= 1000);--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_device_id_ck" CHECK (char_length("readings"."device_id") between 1 and 128);--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_entered_by_ck" CHECK ("readings"."entered_by_kind" in ('patient', 'staff', 'device', 'system'));--> statement-breakpoint
-- Hand-edited: counters and day summaries for readings that exist already (see readings README).
UPDATE "patients" p SET "readings_change_seq" = c.seq, "last_reading_at" = c.last
  FROM (SELECT "patient_id", max("change_seq") AS seq, max("measured_at") AS last FROM "readings" GROUP BY "patient_id") c
  WHERE c."patient_id" = p."id";--> statement-breakpoint
INSERT INTO "reading_day_summaries" ("patient_id", "day", "count", "valued_count", "sum_mg_dl", "sum_sq_mg_dl",
    "very_low", "low", "in_range", "high", "very_high")
  SELECT r."patient_id", (r."measured_at" AT TIME ZONE p."timezone")::date, count(*), count(r."value_mg_dl"),
    coalesce(sum(r."value_mg_dl"), 0), coalesce(sum(r."value_mg_dl" * r."value_mg_dl"), 0),
    count(*) FILTER (WHERE round(r."value_mg_dl") < 54),
    count(*) FILTER (WHERE round(r."value_mg_dl") BETWEEN 54 AND 69),
    count(*) FILTER (WHERE round(r."value_mg_dl") BETWEEN 70 AND 180),
    count(*) FILTER (WHERE round(r."value_mg_dl") BETWEEN 181 AND 250),
    count(*) FILTER (WHERE round(r."value_mg_dl") > 250)
  FROM "readings" r JOIN "patients" p ON p."id" = r."patient_id"
  WHERE r."deleted_at" IS NULL
  GROUP BY 1, 2;--> statement-breakpoint
-- The catalogue the legacy app translates by id (legacy-compat A.5). Thresholds 1, 5, 6, 7 and 10
-- follow the names; 2-4 and 8-9 are not known from the old system and are our choice.
INSERT INTO "achievements" ("id", "name", "attribute", "threshold") VALUES
  (1, 'Primera medición', 'times_measured', 1),
  (2, '10 mediciones', 'times_measured', 10),
  (3, '100 mediciones', 'times_measured', 100),
  (4, '1000 mediciones', 'times_measured', 1000),
  (5, 'Primer día', 'max_streak', 1),
  (6, 'Primera semana', 'max_streak', 7),
  (7, 'Primer mes', 'max_streak', 30),
  (8, 'Tres meses', 'max_streak', 90),
  (9, 'Seis meses', 'max_streak', 180),
  (10, 'Un año entero', 'max_streak', 365);
