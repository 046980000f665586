"""What the org wing sends through the outbox, worded when sent: a register link offer
(someone joined by a general invite; the register has an unlinked entry of their name),
dropped when it no longer applies."""

from __future__ import annotations

from bot.delivery.outgoing import Outgoing, Renderer
from bot.org.buttons import LinkEntry
from bot.org.register import KIND_LINK_OFFER
from bot.services import Services
from storage.outbox import OutboxRow


class OrgRenderers:
    def __init__(self, services: Services) -> None:
        self.services = services

    def table(self) -> dict[str, Renderer]:
        return {KIND_LINK_OFFER: self.link_offer}

    async def link_offer(self, row: OutboxRow) -> Outgoing | None:
        """The offer ("X joined …; the register has X (phone …1234). Same person?") with
        Link / Not the same person, in the reader's language. None (dropped) when the
        entry was linked, deactivated or erased, the member left or holds an entry
        meanwhile, or a secretary already answered this pair on another copy."""
        storage = self.services.storage
        entry = await storage.register.get(int(row.payload["entry"]))
        member = await storage.members.get(int(row.payload["member"]))
        if entry is None or member is None or not (entry.active and member.active):
            return None
        if entry.member_id is not None or await storage.register.of_member(member.id):
            return None
        if await storage.register.answered(entry.id, member.id) is not None:
            return None
        unit = await storage.units.get(member.unit_id)
        if unit is None or unit.id != entry.unit_id:  # moved out of the entry's unit
            return None
        i18n, language = self.services.i18n, str(row.payload["language"])
        text = i18n.t(
            language,
            "register-link-offer",
            member=member.display_name,
            unit=unit.name,
            name=entry.name,
            phone=entry.phone[-4:] if entry.phone else "none",
        )
        same, other = LinkEntry(True, entry.id, member.id), LinkEntry(False, entry.id, member.id)
        return Outgoing(
            text=text,
            buttons=[
                [(i18n.plain(language, "register-link-yes"), same.pack())],
                [(i18n.plain(language, "register-link-no"), other.pack())],
            ],
        )
