"""GIN index for full-text search, on PostgreSQL only (SQLite uses a simpler fallback)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS materi_section_search_gin "
            "ON materi_section USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS materi_section_search_gin")


class Migration(migrations.Migration):
    dependencies = [("materi", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
