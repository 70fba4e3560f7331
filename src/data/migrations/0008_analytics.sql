-- KPI tracking (one row per user and month), the anomalies already found in it (so each is
-- announced once), and uploaded documents with their extracted text and analysis. The file bytes
-- live in document_files, outside the user-data export (exported: metadata, text, analysis),
-- and go with their document.
CREATE TABLE "kpi_months" (
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"month" date NOT NULL,
	"revenue" numeric(16, 2),
	"costs" numeric(16, 2),
	"customers" integer,
	"new_customers" integer,
	"churned_customers" integer,
	"leads" integer,
	"cash" numeric(16, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("user_id", "month"),
	CONSTRAINT "kpi_months_first_day" CHECK (extract(day from "month") = 1),
	CONSTRAINT "kpi_months_non_negative" CHECK (coalesce("revenue", 0) >= 0 AND coalesce("costs", 0) >= 0 AND coalesce("customers", 0) >= 0
		AND coalesce("new_customers", 0) >= 0 AND coalesce("churned_customers", 0) >= 0 AND coalesce("leads", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "kpi_anomalies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"metric" text NOT NULL,
	"month" date NOT NULL,
	"kind" text NOT NULL,
	"direction" text NOT NULL,
	"value" double precision NOT NULL,
	"expected" double precision NOT NULL,
	"lower_bound" double precision NOT NULL,
	"upper_bound" double precision NOT NULL,
	"score" double precision NOT NULL,
	"explanation" text NOT NULL,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kpi_anomalies_once" UNIQUE ("user_id", "metric", "month", "kind")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"filename" text NOT NULL,
	"media_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"pages" integer,
	"width" integer,
	"height" integer,
	"text" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"analysis" jsonb,
	"provider" text,
	"task_id" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"analysed_at" timestamp with time zone,
	CONSTRAINT "documents_status" CHECK ("status" IN ('queued', 'processing', 'analysed', 'failed'))
);
--> statement-breakpoint
CREATE INDEX "documents_user_created" ON "documents" ("user_id", "created_at" DESC);
--> statement-breakpoint
CREATE TABLE "document_files" (
	"document_id" uuid PRIMARY KEY NOT NULL REFERENCES "documents"("id") ON DELETE CASCADE,
	"content" bytea NOT NULL
);
--> statement-breakpoint

-- KPI months: the owner reads and writes their own (admins all).
ALTER TABLE kpi_months ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi_months TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY kpi_months_own ON kpi_months FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint

-- KPI anomalies: found while the owner's months are written (same transaction), never edited.
ALTER TABLE kpi_anomalies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON kpi_anomalies TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY kpi_anomalies_own ON kpi_anomalies FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint

-- Documents: the owner uploads, reads and deletes; status and analysis are written by the server.
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON documents TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY documents_own ON documents FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
ALTER TABLE document_files ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON document_files TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY document_files_own ON document_files FOR ALL TO optimaliq_app
  USING (EXISTS (SELECT 1 FROM documents d WHERE d.id = document_id AND (d.user_id = auth.uid() OR optimaliq_is_admin())))
  WITH CHECK (EXISTS (SELECT 1 FROM documents d WHERE d.id = document_id AND (d.user_id = auth.uid() OR optimaliq_is_admin())));
