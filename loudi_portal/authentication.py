"""API tokens that expire (settings.API_TOKEN_TTL_DAYS); apart from the views so that DRF's settings
can import it early."""

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from loudi_portal import clock


def token_expires_at(token):
    return token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """A token is good for settings.API_TOKEN_TTL_DAYS days after it was issued; then the client
    asks /api/auth/token/ for a new one."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if clock.now() >= token_expires_at(token):
            raise exceptions.AuthenticationFailed("令牌已过期,请用用户名和密码重新获取。")
        return user, token


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come with a request (the login form, the admin, the
    token endpoint). One without a request (Django's test client, a shell) has no address to lock
    and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
