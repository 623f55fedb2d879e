"""Official report documents (Decree 30/2020/NĐ-CP) and the DHIS2 exchange mapping.

- ``report_number_counters`` and ``report_numbers``: the number of an issued report ("Số: 12/BC-UBND").
  Each unit numbers its reports from 1 in every year; a report gets its number once, the first time an
  official document of it is made after it was submitted, and keeps it for every later document. The
  counter only goes up and a number row is never updated or deleted (no UPDATE or DELETE granted), so a
  number is never given twice. Both tables are read and written only by callers whose scope covers the
  unit (row-level security, ``app_unit_visible``).
- ``dhis2_data_sets``, ``dhis2_data_elements`` and ``dhis2_org_units``: codes for the exchange of approved
  figures as DHIS2 dataValueSets and ADX. A report definition is a dataSet, an indicator's cell a
  dataElement with a categoryOptionCombo, a unit an orgUnit. The codes are public (everyone reads them);
  the data set and data element codes, shared by the whole country, are written only by a caller whose
  aggregate scope is the whole tree (the administrator); a unit's orgUnit code by a caller whose scope
  covers the unit (Casbin narrows it to administrators and provincial inspectors).

Revision ID: 0040
Revises: 0038
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0040"
down_revision = "0038"
branch_labels = None
depends_on = None

CODE = r"'^[A-Za-z0-9_.\-]{1,50}$'"

SCHEMA = rf"""
CREATE TABLE report_number_counters (
    unit_id bigint NOT NULL CONSTRAINT fk_report_number_counters_unit_id_units REFERENCES units(id),
    year smallint NOT NULL CONSTRAINT ck_report_number_counters_year CHECK (year BETWEEN 2000 AND 2100),
    last integer NOT NULL CONSTRAINT ck_report_number_counters_last CHECK (last >= 1),
    CONSTRAINT pk_report_number_counters PRIMARY KEY (unit_id, year)
);
CREATE TABLE report_numbers (
    report_id bigint NOT NULL CONSTRAINT fk_report_numbers_report_id_reports REFERENCES reports(id),
    unit_id bigint NOT NULL CONSTRAINT fk_report_numbers_unit_id_units REFERENCES units(id),
    year smallint NOT NULL,
    seq integer NOT NULL CONSTRAINT ck_report_numbers_seq CHECK (seq >= 1),
    issued_on date NOT NULL,
    assigned_by bigint CONSTRAINT fk_report_numbers_assigned_by_users REFERENCES users(id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_report_numbers PRIMARY KEY (report_id),
    CONSTRAINT uq_report_numbers_unit_id UNIQUE (unit_id, year, seq)
);
ALTER TABLE report_number_counters ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_number_counters_in_scope ON report_number_counters
    USING (app_unit_visible(unit_id)) WITH CHECK (app_unit_visible(unit_id));
ALTER TABLE report_numbers ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_numbers_in_scope ON report_numbers
    USING (app_unit_visible(unit_id)) WITH CHECK (app_unit_visible(unit_id));

CREATE TABLE dhis2_data_sets (
    definition_code varchar(32) NOT NULL
        CONSTRAINT fk_dhis2_data_sets_definition_code_report_definitions REFERENCES report_definitions(code),
    data_set varchar(50) NOT NULL CONSTRAINT ck_dhis2_data_sets_data_set CHECK (data_set ~ {CODE}),
    updated_by bigint CONSTRAINT fk_dhis2_data_sets_updated_by_users REFERENCES users(id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_dhis2_data_sets PRIMARY KEY (definition_code),
    CONSTRAINT uq_dhis2_data_sets_data_set UNIQUE (data_set)
);
CREATE TABLE dhis2_data_elements (
    indicator varchar(48) NOT NULL
        CONSTRAINT fk_dhis2_data_elements_indicator_report_indicators REFERENCES report_indicators(code),
    cell varchar(64) NOT NULL,
    data_element varchar(50) NOT NULL
        CONSTRAINT ck_dhis2_data_elements_data_element CHECK (data_element ~ {CODE}),
    category_option_combo varchar(50) NOT NULL
        CONSTRAINT ck_dhis2_data_elements_category_option_combo CHECK (category_option_combo ~ {CODE}),
    updated_by bigint CONSTRAINT fk_dhis2_data_elements_updated_by_users REFERENCES users(id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_dhis2_data_elements PRIMARY KEY (indicator, cell),
    CONSTRAINT uq_dhis2_data_elements_data_element UNIQUE (data_element, category_option_combo)
);
CREATE TABLE dhis2_org_units (
    unit_id bigint NOT NULL CONSTRAINT fk_dhis2_org_units_unit_id_units REFERENCES units(id),
    org_unit varchar(50) NOT NULL CONSTRAINT ck_dhis2_org_units_org_unit CHECK (org_unit ~ {CODE}),
    updated_by bigint CONSTRAINT fk_dhis2_org_units_updated_by_users REFERENCES users(id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_dhis2_org_units PRIMARY KEY (unit_id),
    CONSTRAINT uq_dhis2_org_units_org_unit UNIQUE (org_unit)
);
ALTER TABLE dhis2_data_sets ENABLE ROW LEVEL SECURITY;
CREATE POLICY dhis2_data_sets_read ON dhis2_data_sets FOR SELECT USING (true);
CREATE POLICY dhis2_data_sets_write ON dhis2_data_sets FOR ALL
    USING (nullif(current_setting('app.agg_scope', true), '') = '/')
    WITH CHECK (nullif(current_setting('app.agg_scope', true), '') = '/');
ALTER TABLE dhis2_data_elements ENABLE ROW LEVEL SECURITY;
CREATE POLICY dhis2_data_elements_read ON dhis2_data_elements FOR SELECT USING (true);
CREATE POLICY dhis2_data_elements_write ON dhis2_data_elements FOR ALL
    USING (nullif(current_setting('app.agg_scope', true), '') = '/')
    WITH CHECK (nullif(current_setting('app.agg_scope', true), '') = '/');
ALTER TABLE dhis2_org_units ENABLE ROW LEVEL SECURITY;
CREATE POLICY dhis2_org_units_read ON dhis2_org_units FOR SELECT USING (true);
CREATE POLICY dhis2_org_units_write ON dhis2_org_units FOR ALL
    USING (app_unit_visible(unit_id)) WITH CHECK (app_unit_visible(unit_id));
"""


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON report_number_counters TO {role}")
    op.execute(f"GRANT SELECT, INSERT ON report_numbers TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON dhis2_data_sets, dhis2_data_elements TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON dhis2_org_units TO {role}")


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS dhis2_org_units, dhis2_data_elements, dhis2_data_sets, "
        "report_numbers, report_number_counters"
    )
