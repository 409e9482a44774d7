"""Slowing down password guessing and expiring API tokens.

django-axes counts failed logins per account and address (the login form, the admin and the token
endpoint all authenticate through Django) and locks them for a while; the pieces here only decide
what a locked-out user sees, which address counts, and how long a token lives.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from loudi_portal import clock

from .authentication import token_expires_at


def locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return f"登录失败次数过多,该账号已在本机暂时锁定,请 {minutes} 分钟后再试,或联系管理员解锁。"


def client_ip(request: HttpRequest) -> str:
    """The address a failure counts against: the peer, or behind a proxy we run (DJANGO_BEHIND_PROXY)
    the address that proxy saw, i.e. the last one it appended to X-Forwarded-For. Earlier entries
    are whatever the client sent and are never trusted."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once an account is locked: 429 with a Chinese reason, as JSON on
    the API and as the login page (with the message) elsewhere."""
    message = locked_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(
        request, "registration/login.html", {"form": AuthenticationForm(request), "locked_out": message}, status=429
    )


class TokenView(ObtainAuthToken):
    """POST username and password, get a token (a new one once the old has expired). Failures count
    towards the account's lockout; a locked account gets 429 even with the right password."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            )
        }
    )
    def post(self, request, *args, **kwargs):
        data = request.data if hasattr(request.data, "get") else {}  # a JSON list or string is a 400, not a 500
        credentials = {settings.AXES_USERNAME_FORM_FIELD: str(data.get("username", ""))}
        if not AxesProxyHandler.is_allowed(request._request, credentials):
            return Response({"detail": locked_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        serializer = self.get_serializer(data=data)
        if not serializer.is_valid():
            if not AxesProxyHandler.is_allowed(request._request, credentials):
                return Response({"detail": locked_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        if clock.now() >= token_expires_at(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})
