from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("library", "0003_backfill_status")]

    operations = [
        TrigramExtension(),
        AddIndexConcurrently(
            model_name="book",
            index=models.Index(fields=["status"], name="book_available_idx", condition=Q(status="available")),
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS author_name_trgm ON library_author USING gin (upper(name) gin_trgm_ops)",
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS author_name_trgm",
        ),
    ]
