from flask import Blueprint, abort, jsonify, request
from sqlalchemy.orm import joinedload

from .auth import staff_required
from .extensions import db
from .models import Author, Book, Branch

bp = Blueprint("books", __name__, url_prefix="/books")


@bp.route("/")
def index():
    books = Book.query.all()
    result = []
    for book in books:
        result.append(
            {
                "id": book.id,
                "title": book.title,
                "author": book.author.name,
                "isbn": book.isbn,
                "year": book.published_year,
            }
        )
    return jsonify(result)


@bp.route("/search")
def search():
    q = request.args.get("q", "").strip()
    if len(q) < 2:
        return jsonify([])
    books = Book.query.filter(Book.title.ilike("%" + q + "%")).order_by(Book.title).limit(50).all()
    return jsonify([b.to_dict() for b in books])


@bp.route("/<int:book_id>")
def detail(book_id):
    book = Book.query.get_or_404(book_id)
    data = book.to_dict()
    data["author"] = book.author.name
    data["branch"] = book.branch.name
    data["available"] = book.available_copies()
    return jsonify(data)


@bp.route("/by-author/<int:author_id>")
def by_author(author_id):
    author = Author.query.get_or_404(author_id)
    books = (
        Book.query.filter_by(author_id=author.id)
        .order_by(Book.published_year.desc())
        .all()
    )
    return jsonify(author=author.name, books=[b.to_dict() for b in books])


@bp.route("/branch/<int:branch_id>")
def branch_inventory(branch_id):
    branch = Branch.query.get_or_404(branch_id)
    books = (
        Book.query.options(joinedload(Book.author))
        .filter_by(branch_id=branch.id)
        .order_by(Book.title)
        .all()
    )
    return jsonify(
        branch=branch.name,
        books=[
            {
                "id": b.id,
                "title": b.title,
                "author": b.author.name,
                "available": b.available_copies(),
            }
            for b in books
        ],
    )


@bp.route("/", methods=["POST"])
@staff_required
def create():
    data = request.get_json() or {}
    for field in ("isbn", "title", "author_id", "branch_id"):
        if not data.get(field):
            return jsonify(error=f"{field} is required"), 400

    if Book.query.filter_by(isbn=data["isbn"]).first():
        return jsonify(error="a book with this ISBN already exists"), 409
    if Author.query.get(data["author_id"]) is None:
        abort(400)

    book = Book(
        isbn=data["isbn"],
        title=data["title"],
        author_id=data["author_id"],
        branch_id=data["branch_id"],
        published_year=data.get("published_year"),
        copies=data.get("copies", 1),
    )
    db.session.add(book)
    db.session.commit()
    return jsonify(book.to_dict()), 201
