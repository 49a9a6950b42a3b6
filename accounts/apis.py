from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import token_issue
from huleedu.api import validated
from huleedu.errors import DomainError
from huleedu.throttling import LOGIN_THROTTLES


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(APIView):
    """Exchange a teacher's username and password for an API token; DELETE revokes it.

    Attempts are throttled per client address and username (429 with Retry-After)."""

    throttle_classes = LOGIN_THROTTLES

    def get_permissions(self) -> list:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=TokenInputSerializer, responses=TokenOutputSerializer)
    def post(self, request: Request) -> Response:
        data = validated(TokenInputSerializer, request.data)
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise DomainError("Unknown username or wrong password.", code="invalid_credentials")
        return Response({"token": token_issue(user=user).key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Revoke the caller's token (log out every script using it)."""
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
