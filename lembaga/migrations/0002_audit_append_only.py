"""On PostgreSQL the audit log refuses UPDATE and DELETE in the database itself, so no code path
(a bulk update, a raw query, the admin) can rewrite what a proctor did."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION lembaga_audit_refuse_change() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION 'lembaga_auditentry is append-only';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER lembaga_audit_append_only
          BEFORE UPDATE OR DELETE ON lembaga_auditentry
          FOR EACH ROW EXECUTE FUNCTION lembaga_audit_refuse_change();
        """
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS lembaga_audit_append_only ON lembaga_auditentry;"
        "DROP FUNCTION IF EXISTS lembaga_audit_refuse_change();"
    )


class Migration(migrations.Migration):
    dependencies = [("lembaga", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
