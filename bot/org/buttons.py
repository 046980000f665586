"""The org wing's buttons: language (``lang``), the invite flow (``iv``), revoking an invite
(``inv``) and deciding a join request (``jr``)."""

from __future__ import annotations

from typing import Annotated

from bot.kit.callbacks import Among, Bit, Chosen, Family, Id, OneOf, Payload, Token, Turned
from bot.kit.i18n import LANGUAGES
from storage.models import Role

LANGUAGE = Family("lang", owner=__name__)
INVITE = Family("iv", owner=__name__)
INVITES = Family("inv", owner=__name__)
JOIN = Family("jr", owner=__name__)
USES_CHOICES = (1, 10, 100, 0)  # an invite's uses offered; 0 = unlimited


class PickLanguage(Payload, family=LANGUAGE):
    code: Annotated[str, OneOf(*LANGUAGES)]


InviteUnit = INVITE.adopt(Chosen, "u")
InviteUnits = INVITE.adopt(Turned, "p")


class InviteRole(Payload, family=INVITE, tag="r"):
    role: Annotated[str, OneOf.of(Role)]


class InviteUses(Payload, family=INVITE, tag="n"):
    uses: Annotated[int, Among(*USES_CHOICES)]


class InviteExpiry(Payload, family=INVITE, tag="e"):
    expiry: Annotated[str, Token(r"\d{1,5}[mhdw]", "99999w")]  # a duration, as 7d


class InviteApproval(Payload, family=INVITE, tag="a"):
    approval: Bit


class RevokeInvite(Payload, family=INVITES, tag="rv"):
    invite: Id


class JoinDecision(Payload, family=JOIN):
    verb: Annotated[str, OneOf("a", "r")]  # approve, reject
    request: Id


REGISTER = Family("rg", owner=__name__)


class RegisterConfirm(Payload, family=REGISTER, tag="c"):
    prune: Bit  # also deactivate the entries the file leaves out


LINK = Family("rl", owner=__name__)


class LinkEntry(Payload, family=LINK):
    """A secretary's answer to "X joined; the register has X. Same person?"."""

    same: Bit
    entry: Id
    member: Id
