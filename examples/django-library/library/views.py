from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from library.models import Author, Book, Loan, Member


def book_list(request):
    # Planted: the author is loaded lazily, one query per book.
    books = Book.objects.filter(status="available").order_by("-created_at")[:50]  # expect: missing-filter-index
    data = [{"title": b.title, "author": b.author.name} for b in books]  # expect: n-plus-one
    return JsonResponse({"books": data})


def book_list_fast(request):
    # Correct: select_related joins the author in the same query.
    books = Book.objects.select_related("author").filter(status="available")[:50]
    return JsonResponse({"books": [{"title": b.title, "author": b.author.name} for b in books]})


def authors_with_counts(request):
    out = []
    for author in Author.objects.all():
        out.append({"name": author.name, "books": author.books.count()})  # expect: n-plus-one
    return JsonResponse({"authors": out})


def authors_prefetched(request):
    authors = Author.objects.prefetch_related("books")
    return JsonResponse({"authors": [{"name": a.name, "books": a.books.count()} for a in authors]})


def search_books(request):
    q = request.GET.get("q", "")
    # Planted: a leading-wildcard ILIKE on a column without a trigram index.
    hits = Book.objects.filter(title__icontains=q)[:20]  # expect: ilike-without-trigram-index
    return JsonResponse({"ids": [b.id for b in hits]})


def search_authors(request):
    # Correct: author_name_trgm is a GIN trigram index on upper(name).
    hits = Author.objects.filter(name__icontains=request.GET["q"])[:20]
    return JsonResponse({"ids": [a.id for a in hits]})


def member_by_card(request, card):
    # Planted: .get() on a column with no unique constraint.
    member = Member.objects.get(card_number=card)  # expect: missing-unique-constraint, missing-filter-index
    return JsonResponse({"id": member.id})


def member_by_email(request, email):
    member = get_object_or_404(Member, email=email)
    return JsonResponse({"id": member.id})


def books_by_status(request, status):
    # Planted: the value is pasted into the SQL text.
    rows = Book.objects.raw(f"SELECT * FROM library_book WHERE status = '{status}'")  # expect: sql-injection
    return JsonResponse({"ids": [r.id for r in rows]})


def books_by_status_bound(request):
    rows = Book.objects.raw("SELECT * FROM library_book WHERE status = %s", [request.GET["status"]])
    return JsonResponse({"ids": [r.id for r in rows]})


def overdue_report(request, days):
    with connection.cursor() as cursor:
        cursor.execute("SELECT book_id FROM library_loan WHERE returned_at IS NULL AND id > %s", [days])
        return JsonResponse({"ids": [r[0] for r in cursor.fetchall()]})


def open_loans(request):
    loans = Loan.objects.filter(returned_at__isnull=True).select_related("book", "member")
    return JsonResponse({"loans": [{"book": l.book.title, "member": l.member.email} for l in loans]})
