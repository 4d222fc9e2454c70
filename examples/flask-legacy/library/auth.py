import functools

from flask import Blueprint, abort, g, jsonify, request, session

from .models import Member

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.before_app_request
def load_logged_in_member():
    member_id = session.get("member_id")
    g.member = Member.query.get(member_id) if member_id else None


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.member is None:
            abort(401)
        return view(*args, **kwargs)

    return wrapped


def staff_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.member is None or not g.member.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["POST"])
def login():
    data = request.get_json() or {}
    member = Member.query.filter_by(email=data.get("email", "").strip().lower()).first()
    if member is None or not member.check_password(data.get("password", "")):
        return jsonify(error="invalid email or password"), 401
    session.clear()
    session["member_id"] = member.id
    return jsonify(id=member.id, name=member.name)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return "", 204
