"""Who is calling: the platform's signed-in user, read from ``x-ms-client-principal``.

Sign-in is the platform's job (App Service Authentication on the Function App, or a Static
Web App whose linked backend is this app): it validates the user's token, strips any
``x-ms-client-principal`` a client sent, and sets its own, base64 JSON in one of two shapes:

* Static Web Apps: ``{"identityProvider", "userId", "userDetails", "userRoles": [...]}``;
* App Service Authentication: ``{"auth_typ", "claims": [{"typ", "val"}, ...], "name_typ",
  "role_typ"}``, the user's object id in the ``objectidentifier`` claim, roles in the claims
  whose type is ``role_typ``.

With ``GAIT_REQUIRE_PLATFORM_AUTH`` on (the default) every route but health answers 401
without it. Off is anonymous local development: everyone sees everything.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import azure.functions as func

from gait.service.errors import Unauthorized
from gait.service.settings import Settings

log = logging.getLogger("gait.service")

HEADER = "x-ms-client-principal"
#: Claim types App Service uses for the user's stable id (Entra object id first).
_ID_CLAIMS = (
    "http://schemas.microsoft.com/identity/claims/objectidentifier",
    "oid",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
    "sub",
)
#: The platform's header is a few KB; anything much larger is not the platform's.
MAX_HEADER_CHARS = 32_768


@dataclass(frozen=True)
class Caller:
    """A signed-in user: ``user_id`` is stored on their analyses as the owner; a caller in
    the clinic role (``GAIT_CLINIC_ROLE``) sees every analysis."""

    user_id: str
    roles: frozenset[str]
    sees_all: bool


def parse_principal(header: str, clinic_role: str) -> Caller:
    """The caller in a ``x-ms-client-principal`` value; 401 when it is not a signed-in user."""
    if len(header) > MAX_HEADER_CHARS:
        raise Unauthorized("the sign-in header is not valid")
    try:
        data: Any = json.loads(base64.b64decode(header.strip(), validate=True))
    except (binascii.Error, ValueError):
        raise Unauthorized("the sign-in header is not valid") from None
    if not isinstance(data, dict):
        raise Unauthorized("the sign-in header is not valid")
    if "userId" in data:  # Static Web Apps
        user_id = str(data.get("userId") or "")
        roles = {str(r) for r in data.get("userRoles") or [] if isinstance(r, str)}
    else:  # App Service Authentication
        claims = [c for c in data.get("claims") or [] if isinstance(c, dict)]
        role_type = str(data.get("role_typ") or "roles")
        by_type: dict[str, str] = {}
        roles = set()
        for claim in claims:
            typ, val = str(claim.get("typ", "")), str(claim.get("val", ""))
            by_type.setdefault(typ, val)
            if typ in (role_type, "roles"):
                roles.add(val)
        user_id = next((by_type[t] for t in _ID_CLAIMS if by_type.get(t)), "")
    if not user_id:
        raise Unauthorized("sign in first")
    roles.discard("anonymous")
    return Caller(user_id=user_id, roles=frozenset(roles), sees_all=clinic_role in roles)


def caller(req: func.HttpRequest, settings: Settings) -> Caller | None:
    """The signed-in caller; ``None`` in anonymous mode; 401 when sign-in is required and
    the request carries no valid principal."""
    if not settings.require_platform_auth:
        return None
    header = req.headers.get(HEADER)
    if not header:
        raise Unauthorized("sign in first")
    return parse_principal(header, settings.clinic_role)


def may_access(who: Caller | None, record: dict[str, Any]) -> bool:
    """The owner and the clinic role may read, change and delete an analysis."""
    return who is None or who.sees_all or record.get("owner_id") == who.user_id


def owner_filter(who: Caller | None) -> str | None:
    """The owner id a listing is limited to, or ``None`` for every analysis."""
    return None if who is None or who.sees_all else who.user_id


def warn_at_start(settings: Settings, environ: Mapping[str, str]) -> None:
    """Logged once at start: anonymous mode must never be an accident, and on App Service
    without its authentication in front the principal header could be forged by anyone
    (App Service sets ``WEBSITE_AUTH_ENABLED`` when its authentication is on, which linking
    a Static Web App backend also turns on)."""
    if not settings.require_platform_auth:
        log.warning(
            "GAIT_REQUIRE_PLATFORM_AUTH is off: every analysis is open to every caller. "
            "Use this for local development only."
        )
    elif environ.get("WEBSITE_SITE_NAME") and environ.get("WEBSITE_AUTH_ENABLED", "").lower() != (
        "true"
    ):
        log.error(
            "App Service Authentication is not enabled on this app: the %s header it trusts "
            "could be sent by anyone. Link the app to its Static Web App or turn on "
            "authentication (docs/deploy.md).",
            HEADER,
        )
