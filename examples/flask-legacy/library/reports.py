from datetime import datetime, timedelta

from flask import Blueprint, jsonify, request
from sqlalchemy import func

from .auth import staff_required
from .extensions import db
from .models import Book, Loan

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _connect():
    # raw DB-API connection from the pool, so engine options (timeouts etc.) apply
    conn = db.engine.raw_connection()
    return conn, conn.cursor()


@bp.route("/author")
@staff_required
def books_by_author_name():
    name = request.args.get("name", "")
    conn, cur = _connect()
    try:
        cur.execute("SELECT b.id, b.title, b.isbn FROM books b JOIN authors a ON a.id = b.author_id WHERE a.name = '%s' ORDER BY b.title" % name)
        rows = cur.fetchall()
    finally:
        conn.close()
    return jsonify([{"id": r[0], "title": r[1], "isbn": r[2]} for r in rows])


@bp.route("/member-history")
@staff_required
def member_history():
    email = request.args.get("email", "").strip().lower()
    conn, cur = _connect()
    try:
        cur.execute(
            "SELECT b.title, l.loaned_at, l.returned_at "
            "FROM loans l JOIN members m ON m.id = l.member_id JOIN books b ON b.id = l.book_id "
            "WHERE m.email = %s ORDER BY l.loaned_at DESC",
            (email,),
        )
        rows = cur.fetchall()
    finally:
        conn.close()
    return jsonify(
        [
            {"title": r[0], "loaned_at": r[1].isoformat(), "returned_at": r[2].isoformat() if r[2] else None}
            for r in rows
        ]
    )


@bp.route("/branches")
@staff_required
def branch_utilisation():
    conn, cur = _connect()
    try:
        cur.execute(
            """
            SELECT br.name, count(b.id) AS titles, coalesce(sum(b.copies), 0) AS copies
            FROM branches br
            LEFT JOIN books b ON b.branch_id = br.id
            GROUP BY br.name
            ORDER BY br.name
            """
        )
        rows = cur.fetchall()
    finally:
        conn.close()
    return jsonify([{"branch": r[0], "titles": r[1], "copies": r[2]} for r in rows])


@bp.route("/popular")
@staff_required
def popular():
    days = request.args.get("days", 30, type=int)
    since = datetime.utcnow() - timedelta(days=days)
    rows = (
        db.session.query(Book.title, func.count(Loan.id).label("loans"))
        .join(Loan, Loan.book_id == Book.id)
        .filter(Loan.loaned_at >= since)
        .group_by(Book.id, Book.title)
        .order_by(func.count(Loan.id).desc())
        .limit(20)
        .all()
    )
    return jsonify([{"title": title, "loans": count} for title, count in rows])
