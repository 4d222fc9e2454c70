from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.AddField(model_name="book", name="status", field=models.CharField(default="available", max_length=20)),  # expect: require-lock-timeout
        migrations.AddIndex(model_name="book", index=models.Index(fields=["title"], name="book_title_idx")),  # expect: require-concurrent-index-creation, require-statement-timeout
    ]
