from datetime import datetime, timedelta

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.orm import joinedload

from .auth import login_required, staff_required
from .extensions import db
from .models import Book, Loan, Member, Reservation

bp = Blueprint("loans", __name__, url_prefix="/loans")


@bp.route("/checkout", methods=["POST"])
@staff_required
def checkout():
    data = request.get_json() or {}
    member = Member.query.filter_by(card_number=data.get("card_number")).first()
    if member is None:
        return jsonify(error="unknown card"), 404
    book = Book.query.get(data.get("book_id"))
    if book is None:
        return jsonify(error="unknown book"), 404

    active = Loan.query.filter_by(member_id=member.id, returned_at=None).count()
    if active >= current_app.config["MAX_ACTIVE_LOANS"]:
        return jsonify(error="loan limit reached"), 400
    if book.available_copies() <= 0:
        return jsonify(error="no copies available"), 409

    loan = Loan(
        book=book,
        member=member,
        due_at=datetime.utcnow() + timedelta(days=current_app.config["LOAN_DAYS"]),
    )
    db.session.add(loan)
    db.session.commit()
    return jsonify(id=loan.id, due_at=loan.due_at.isoformat()), 201


@bp.route("/<int:loan_id>/renew", methods=["POST"])
@login_required
def renew(loan_id):
    loan = Loan.query.get_or_404(loan_id)
    if loan.returned_at is not None:
        return jsonify(error="already returned"), 400
    if loan.renewals >= current_app.config["MAX_RENEWALS"]:
        return jsonify(error="no renewals left"), 400
    loan.renewals += 1
    loan.due_at = loan.due_at + timedelta(days=current_app.config["LOAN_DAYS"])
    db.session.commit()
    return jsonify(due_at=loan.due_at.isoformat())


@bp.route("/<int:loan_id>/return", methods=["POST"])
@staff_required
def return_book(loan_id):
    loan = Loan.query.get_or_404(loan_id)
    if loan.returned_at is not None:
        return jsonify(error="already returned"), 400
    loan.returned_at = datetime.utcnow()

    # hand the copy to the next person in the queue
    next_in_line = (
        Reservation.query.filter_by(book_id=loan.book_id, status="waiting")
        .order_by(Reservation.created_at)
        .first()
    )
    if next_in_line is not None:
        next_in_line.status = "ready"
        next_in_line.notified_at = datetime.utcnow()

    db.session.commit()
    return jsonify(ok=True, reserved_for=next_in_line.member_id if next_in_line else None)


@bp.route("/overdue")
@staff_required
def overdue():
    now = datetime.utcnow()
    loans = (
        Loan.query.options(joinedload(Loan.member), joinedload(Loan.book))
        .filter(Loan.returned_at.is_(None), Loan.due_at < now)
        .order_by(Loan.due_at)
        .all()
    )
    return jsonify(
        [
            {
                "loan_id": loan.id,
                "member": loan.member.name,
                "email": loan.member.email,
                "book": loan.book.title,
                "days_overdue": (now - loan.due_at).days,
            }
            for loan in loans
        ]
    )
