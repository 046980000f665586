"""``muster member import | invites`` and the register part of ``member list``: the
member register of issue #18 at the console, with the call lists and QR sheets a
secretary prints."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import segno

from bot.kit.tables import text_table, xlsx_bytes
from bot.org.authz import Actor
from bot.org.invites import QR_BORDER, invite_link
from bot.org.register import RegisterLine
from bot.org.register_file import RegisterFileError, describe
from bot.services import Services
from bot.summaries.charts import fonts
from storage.models import Unit
from storage.register import RegisterEntry

EXIT_FAILED = 1
EXIT_USAGE = 2
CONSOLE_LANGUAGE = "en"  # the operator's messages, as the rest of the CLI
QR_PER_PAGE = 20  # 4 × 5 codes on an A4 page, each big enough to scan from paper
_COLUMNS = 4


async def member_import(services: Services, path: Path, prune: bool) -> int:
    try:
        changes = await services.register.import_file(Actor.console(), path, prune=prune)
    except RegisterFileError as exc:
        for problem in exc.problems:  # as the roster's problems are printed
            text = describe(services.i18n, CONSOLE_LANGUAGE, replace(problem, line=0), plain=True)
            where = f" line {problem.line}" if problem.line else ""
            print(f"{path.name}{where}: {text}", file=sys.stderr)
        if len(exc.problems) > 1 or exc.problems[0].line:
            # A file that cannot be read says so in one line; bad lines are many.
            print("nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    if changes.empty:
        print(f"{path}: no changes ({changes.kept} entries)")
    else:
        print(
            f"{path}: {changes.added} added, {changes.updated} updated,"
            f" {changes.deactivated} deactivated, {changes.kept} unchanged"
        )
    return 0


async def register_erase(
    services: Services,
    external_id: str | None,
    code: str | None,
    name: str | None,
    *,
    confirmed: bool,
) -> int:
    """``member erase --external-id ID`` or ``--unit CODE --name NAME``: a register entry,
    and the member who joined through it if anyone did."""
    entry, problem, usage = await _entry_to_erase(services, external_id, code, name)
    if entry is None:
        print(problem, file=sys.stderr)
        return EXIT_USAGE if usage else EXIT_FAILED
    if not confirmed:
        print(f"erasing {entry.name} cannot be undone; add --yes", file=sys.stderr)
        return EXIT_USAGE
    await services.privacy.erase_entry(Actor.console(), entry)
    print(f"register entry {entry.id} erased")
    return 0


async def _entry_to_erase(
    services: Services, external_id: str | None, code: str | None, name: str | None
) -> tuple[RegisterEntry | None, str, bool]:
    """The entry named, or None with why (and whether it was the command's usage)."""
    if external_id is not None:
        entry = await services.storage.register.by_external_id(external_id)
        return entry, f"no register entry with external id {external_id!r}", False
    if code is None:
        return None, "--name needs --unit CODE", True
    unit = await services.storage.units.by_code(code)
    if unit is None:
        return None, f"no unit with code {code!r}", False
    found = await services.register.named(unit, name or "")
    if not found:
        see = f"see 'muster member list --unit {code}'"
        return None, f"no register entry named {name!r} in {code}; {see}", False
    if len(found) > 1:
        listed = ", ".join(f"{e.name} ({_external_id(e)})" for e in found)
        many = f"{len(found)} register entries named {name!r} in {code}: {listed}"
        return None, f"{many}; name one by --external-id", False
    return found[0], "", False


def _external_id(entry: RegisterEntry) -> str:
    return f"external id {entry.external_id}" if entry.external_id else "no external id"


def print_register(lines: Sequence[RegisterLine], *, not_joined: bool) -> None:
    """The register below the members: who is expected, joined or not, a phone to call."""
    if not lines:
        if not_joined:
            print("everyone in the register has joined")
        return
    print()
    print(f"register: {len(lines)} expected" + (", not joined" if not_joined else ""))
    rows = [
        (
            line.entry.name,
            line.unit.code,
            "yes" if line.joined else "no",
            line.entry.phone or "-",
            line.entry.email or "-",
        )
        for line in lines
    ]
    for text in text_table(("name", "unit", "joined", "phone", "email"), rows):
        print(text)


async def member_invites(services: Services, unit: Unit, out: Path, username: str) -> int:
    """Per unit of the subtree, into the directory ``out``: an XLSX call list and PNG
    pages of QR codes with names.
    Links of entries not joined yet are issued afresh (only hashes are stored)."""
    issued = await services.register.issue_invites(Actor.console(), unit)
    if not issued:
        print(f"no register entries in {unit.code}: load them with 'muster member import FILE'")
        return 0
    by_unit: dict[str, list[tuple[RegisterLine, str]]] = {}
    for line, token in issued:
        by_unit.setdefault(line.unit.code, []).append((line, token))
    for code, entries in by_unit.items():
        rows = [
            (
                line.entry.name,
                line.entry.phone,
                line.entry.email,
                "yes" if line.joined else "no",
                invite_link(username, token) if token else None,
            )
            for line, token in entries
        ]
        header = ("name", "phone", "email", "joined", "invite link")
        (out / f"{code}-call-list.xlsx").write_bytes(xlsx_bytes({code: (header, rows)}))
        waiting = [(line.entry.name, invite_link(username, t)) for line, t in entries if t]
        pages = [waiting[i : i + QR_PER_PAGE] for i in range(0, len(waiting), QR_PER_PAGE)]
        for number, page in enumerate(pages, 1):
            (out / f"{code}-qr-{number}.png").write_bytes(qr_sheet(page))
        print(f"{code}: {len(entries)} entries, {len(waiting)} invites, {len(pages)} QR pages")
    print(f"written to {out}; earlier links of these entries no longer work")
    return 0


def qr_sheet(people: Sequence[tuple[str, str]]) -> bytes:
    """A page of QR codes (level M, as ``muster invite create --qr``) with a name under
    each, drawn with the bundled CJK font so Chinese names print."""
    fonts()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from bot.summaries.charts import png

    rows = max(1, -(-len(people) // _COLUMNS))
    figure = Figure(figsize=(8.27, 2.3 * rows), dpi=150)
    FigureCanvasAgg(figure)
    for index, (name, link) in enumerate(people):
        axes = figure.add_subplot(rows, _COLUMNS, index + 1)
        code = segno.make_qr(link, error="m", boost_error=False)
        # The quiet zone the QR standard asks for, as on a single invite's code.
        modules = code.matrix_iter(border=QR_BORDER)
        axes.imshow(
            [[0 if m else 1 for m in row] for row in modules], cmap="gray", interpolation="nearest"
        )
        axes.set_axis_off()
        axes.set_title(name, fontsize=11, y=-0.12)
        axes.set_xlabel(name, fontsize=11)
    return png(figure)
