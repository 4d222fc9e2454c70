from flask import Blueprint, abort, g, jsonify, request

from .auth import login_required, staff_required
from .extensions import db
from .models import Loan, Member

bp = Blueprint("members", __name__, url_prefix="/members")


@bp.route("/register", methods=["POST"])
def register():
    data = request.get_json() or {}
    email = (data.get("email") or "").strip().lower()
    name = (data.get("name") or "").strip()
    password = data.get("password") or ""
    if not email or not name or len(password) < 8:
        return jsonify(error="email, name and a password of 8+ characters are required"), 400

    if Member.query.filter_by(email=email).first():
        return jsonify(error="email already registered"), 409

    card_number = data.get("card_number")
    if card_number and Member.query.filter_by(card_number=card_number).first():
        return jsonify(error="this library card is already assigned"), 409

    member = Member(email=email, name=name, phone=data.get("phone"), card_number=card_number)
    member.set_password(password)
    db.session.add(member)
    db.session.commit()
    return jsonify(id=member.id), 201


@bp.route("/me/loans")
@login_required
def my_loans():
    loans = g.member.loans.order_by(Loan.loaned_at.desc()).all()
    out = []
    for loan in loans:
        out.append(
            {
                "id": loan.id,
                "book": loan.book.title,
                "loaned_at": loan.loaned_at.isoformat(),
                "due_at": loan.due_at.isoformat(),
                "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
                "overdue": loan.is_overdue,
            }
        )
    return jsonify(out)


@bp.route("/lookup")
@staff_required
def lookup():
    card = request.args.get("card", "").strip()
    if not card:
        abort(400)
    member = Member.query.filter_by(card_number=card).first_or_404()
    return jsonify(id=member.id, name=member.name, email=member.email)
