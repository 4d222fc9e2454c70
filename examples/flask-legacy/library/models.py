from datetime import datetime

from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


class Branch(db.Model):
    __tablename__ = "branches"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    address = db.Column(db.String(255))
    phone = db.Column(db.String(40))

    def __repr__(self):
        return f"<Branch {self.name}>"


class Author(db.Model):
    __tablename__ = "authors"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    birth_year = db.Column(db.Integer)
    bio = db.Column(db.Text)

    books = db.relationship("Book", backref="author", lazy=True)

    def __repr__(self):
        return f"<Author {self.name}>"


class Book(db.Model):
    __tablename__ = "books"

    id = db.Column(db.Integer, primary_key=True)
    isbn = db.Column(db.String(13), unique=True, nullable=False)
    title = db.Column(db.String(300), nullable=False, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("authors.id"), nullable=False)
    branch_id = db.Column(db.Integer, db.ForeignKey("branches.id"), nullable=False, index=True)
    published_year = db.Column(db.Integer)
    copies = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    branch = db.relationship("Branch")

    def available_copies(self):
        on_loan = self.loans.filter(Loan.returned_at.is_(None)).count()
        return self.copies - on_loan

    def to_dict(self):
        return {
            "id": self.id,
            "isbn": self.isbn,
            "title": self.title,
            "author_id": self.author_id,
            "branch_id": self.branch_id,
            "published_year": self.published_year,
            "copies": self.copies,
        }


class Member(db.Model):
    __tablename__ = "members"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True, nullable=False)
    name = db.Column(db.String(200), nullable=False)
    phone = db.Column(db.String(40))
    card_number = db.Column(db.String(20))
    password_hash = db.Column(db.String(256), nullable=False)
    is_staff = db.Column(db.Boolean, default=False, nullable=False)
    joined_at = db.Column(db.DateTime, default=datetime.utcnow)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class Loan(db.Model):
    __tablename__ = "loans"

    id = db.Column(db.Integer, primary_key=True)
    book_id = db.Column(db.Integer, db.ForeignKey("books.id"), nullable=False, index=True)
    member_id = db.Column(db.Integer, db.ForeignKey("members.id"), nullable=False)
    loaned_at = db.Column(db.DateTime, default=datetime.utcnow, nullable=False)
    due_at = db.Column(db.DateTime, nullable=False)
    returned_at = db.Column(db.DateTime)
    renewals = db.Column(db.Integer, default=0, nullable=False)

    book = db.relationship("Book", backref=db.backref("loans", lazy="dynamic"))
    member = db.relationship("Member", backref=db.backref("loans", lazy="dynamic"))

    @property
    def is_overdue(self):
        return self.returned_at is None and self.due_at < datetime.utcnow()


class Reservation(db.Model):
    __tablename__ = "reservations"
    __table_args__ = (db.Index("ix_reservations_member_id_book_id", "member_id", "book_id"),)

    id = db.Column(db.Integer, primary_key=True)
    member_id = db.Column(db.Integer, db.ForeignKey("members.id"), nullable=False)
    book_id = db.Column(db.Integer, db.ForeignKey("books.id"), nullable=False)
    pickup_branch_id = db.Column(db.Integer, db.ForeignKey("branches.id"), nullable=False)
    status = db.Column(db.String(20), default="waiting", nullable=False)
    created_at = db.Column(db.DateTime, default=datetime.utcnow, nullable=False)
    notified_at = db.Column(db.DateTime)

    member = db.relationship("Member")
    book = db.relationship("Book")
    pickup_branch = db.relationship("Branch")
