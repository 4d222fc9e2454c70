from django.db import migrations


def mark_lent_books(apps, schema_editor):
    Book = apps.get_model("library", "Book")
    Loan = apps.get_model("library", "Loan")
    lent = Loan.objects.filter(returned_at__isnull=True).values_list("book_id", flat=True)
    Book.objects.filter(id__in=lent).update(status="lent")


class Migration(migrations.Migration):
    dependencies = [("library", "0002_book_status")]

    operations = [
        migrations.RunPython(mark_lent_books),  # expect: missing-downgrade
    ]
