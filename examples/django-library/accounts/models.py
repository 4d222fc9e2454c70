import hashlib
import secrets

from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    token = models.CharField(max_length=64, unique=True)  # expect: plaintext-secret-column
    label = models.CharField(max_length=100)


class PasswordReset(models.Model):
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64, unique=True)


def issue_token(user, label):
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, token=raw, label=label)
    return raw


def start_reset(user):
    code = secrets.token_hex(4)
    PasswordReset.objects.create(user=user, code_hash=hashlib.sha256(code.encode()).hexdigest())
    return code


def tag_for(user, label):
    token, _ = ApiToken.objects.get_or_create(user=user, label=label)  # expect: missing-unique-constraint
    return token
