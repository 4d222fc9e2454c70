from rest_framework import serializers, viewsets

from library.models import Book, Loan


class BookSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name")  # expect: n-plus-one
    publisher = serializers.StringRelatedField()

    class Meta:
        model = Book
        fields = ["id", "title", "author_name", "publisher"]


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    # Planted: publisher is eager-loaded, author is not.
    queryset = Book.objects.select_related("publisher")
    serializer_class = BookSerializer


class LoanSerializer(serializers.ModelSerializer):
    book_title = serializers.CharField(source="book.title")
    member_email = serializers.CharField(source="member.email")

    class Meta:
        model = Loan
        fields = ["id", "book_title", "member_email", "returned_at"]


class LoanViewSet(viewsets.ModelViewSet):
    # Correct: both relations the serializer reads are joined in.
    queryset = Loan.objects.select_related("book", "member")
    serializer_class = LoanSerializer
