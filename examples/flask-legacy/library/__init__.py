from flask import Flask

from .extensions import db, migrate


def create_app(config_object="config.Config"):
    app = Flask(__name__)
    app.config.from_object(config_object)

    db.init_app(app)
    migrate.init_app(app, db)

    from . import auth, books, loans, members, reports

    app.register_blueprint(auth.bp)
    app.register_blueprint(books.bp)
    app.register_blueprint(members.bp)
    app.register_blueprint(loans.bp)
    app.register_blueprint(reports.bp)

    @app.route("/ping")
    def ping():
        return "pong"

    return app
