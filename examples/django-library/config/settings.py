import os

SECRET_KEY = os.environ["SECRET_KEY"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "library", "accounts"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Planted: no statement_timeout for the application's connections.
DATABASES = {
    "default": {  # expect: missing-query-timeout
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DB_NAME", "library"),
        "HOST": os.environ.get("DB_HOST", "localhost"),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    },
    "reporting": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "library",
        "OPTIONS": {"options": "-c statement_timeout=30000 -c idle_in_transaction_session_timeout=60000"},
    },
}
