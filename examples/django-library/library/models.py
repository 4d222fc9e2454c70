from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Publisher(models.Model):
    name = models.CharField(max_length=200, unique=True)


class Author(TimeStamped):
    name = models.CharField(max_length=200)
    email = models.EmailField()

    class Meta:
        indexes = [GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="author_name_trgm")]


class Tag(models.Model):
    label = models.SlugField(unique=True)


class Book(TimeStamped):
    title = models.CharField(max_length=300)
    isbn = models.CharField(max_length=13)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, db_index=False)  # expect: missing-fk-index
    tags = models.ManyToManyField(Tag, blank=True)
    status = models.CharField(max_length=20, default="available")

    class Meta:
        indexes = [
            models.Index(fields=["title"], name="book_title_idx"),
            models.Index(fields=["status"], name="book_available_idx", condition=Q(status="available")),
        ]
        constraints = [models.UniqueConstraint(fields=["isbn"], name="book_isbn_uniq")]


class Member(models.Model):
    card_number = models.CharField(max_length=20)
    email = models.EmailField(unique=True)


class Loan(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    member = models.ForeignKey(Member, on_delete=models.CASCADE)
    returned_at = models.DateTimeField(null=True)
