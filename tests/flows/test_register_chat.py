"""``/register``: a secretary sends the member register of their units in chat. It is
checked whole, previewed, and written only on Confirm; every bad line is named in the
secretary's language; a file of the wrong kind, too big, unreadable or with lines outside
their units changes nothing and they can send another or /cancel."""

from __future__ import annotations

import io

import openpyxl

from bot.org.authz import Actor
from fakeapi import FakeUser
from storage.models import Role
from tests.flows.conftest import Harness
from tests.flows.test_checkin import labels
from tests.flows.test_register import GOOD, entries, write

RIV = """\
name,unit,phone,email,external_id
Ann Lee,RIV-1,138 0013 8000,ann@example.org,E1
王芳,RIV-1,+86 139-0013-9000,,E2
"""
ASK = (
    "Member register — send the file as a document: CSV (UTF-8 or GB18030) or XLSX, at most"
    " 20 MB, with the columns name,unit and optionally phone,email,external_id. Only units"
    " you are secretary of (and below). Nothing is changed until you confirm; /cancel to stop."
)


async def secretary(harness: Harness, language: str = "en") -> FakeUser:
    sam = harness.person(702, "Sam", language=language)
    await harness.join(sam, "RIV", Role.SECRETARY)
    [ask] = await harness.send(sam, sam.command("register"))
    assert ask.text == (ASK if language == "en" else ask.text)
    return sam


async def audits(harness: Harness) -> list[tuple[str, str]]:
    return [(e.action, e.outcome) for e in await harness.services.storage.audit.recent(5)]


async def test_a_secretary_previews_and_confirms_the_register(harness: Harness) -> None:
    sam = await secretary(harness)
    [preview] = await harness.send(sam, sam.document("register.csv", RIV.encode()))
    assert preview.text == (
        "register.csv: 2 added · 0 updated · 0 unchanged · 0 to deactivate (only with"
        " “deactivate”: entries of your units the file leaves out)\nImport it?"
    )
    assert labels(preview) == ["✅ Import", "Cancel"]
    assert await entries(harness) == []  # nothing before Confirm
    [done] = await harness.send(sam, sam.press(preview, "✅ Import"))
    assert done.text == "✅ register.csv imported: 2 added, 0 updated, 0 deactivated, 0 unchanged."
    assert await entries(harness) == [
        ("Ann Lee", "+8613800138000", "ann@example.org", True),
        ("王芳", "+8613900139000", None, True),
    ]
    assert ("register_import", "ok") in await audits(harness)
    # The Confirm button answers once.
    pressed = sam.press_data(preview.message_id, preview.buttons[0][1] or "")
    assert (await harness.send(sam, pressed)).texts == []
    stale = harness.api.callback_answers[-1].text
    assert stale == "This button no longer applies. Nothing was changed."
    assert len(await entries(harness)) == 2


async def test_prune_is_offered_for_entries_of_the_secretarys_units_only(
    harness: Harness,
) -> None:
    register = harness.services.register
    await register.import_file(Actor.console(), write(harness.tmp_path, GOOD), prune=False)
    sam = await secretary(harness)
    only_ann = RIV.replace("王芳,RIV-1,+86 139-0013-9000,,E2\n", "")
    [preview] = await harness.send(sam, sam.document("register.csv", only_ann.encode()))
    # Bo Chen (HIL-1) is outside Sam's units: not counted, not deactivated.
    assert preview.text is not None and "0 added · 0 updated · 1 unchanged · 1 to" in preview.text
    assert labels(preview) == ["✅ Import", "✅ Import and deactivate 1", "Cancel"]
    [done] = await harness.send(sam, sam.press(preview, "✅ Import and deactivate 1"))
    assert done.text == "✅ register.csv imported: 0 added, 0 updated, 1 deactivated, 1 unchanged."
    assert [(name, active) for name, _, _, active in await entries(harness)] == [
        ("Ann Lee", True),
        ("王芳", False),
        ("Bo Chen", True),
    ]


async def test_bad_lines_and_lines_outside_the_scope_are_named_nothing_written(
    harness: Harness,
) -> None:
    sam = await secretary(harness, language="zh")
    bad = RIV + "Bo Chen,HIL-1,,,\nCy,RIV-1,12,,\n"
    [problems] = await harness.send(sam, sam.document("名册.csv", bad.encode("gb18030")))
    assert problems.text == (
        "⚠️ 名册.csv无法导入，未做任何更改。\n"
        "第4行：单位HIL-1不在您的范围内。\n"
        "第5行：“12”不是电话号码。\n"
        "请修改文件后重新发送，或发送 /cancel。"
    )
    assert await entries(harness) == []
    assert ("invite_member", "denied") in await audits(harness)
    # The flow waits for a corrected file.
    [preview] = await harness.send(sam, sam.document("名册.csv", RIV.encode("gb18030")))
    assert labels(preview) == ["✅ 导入", "取消"]


async def test_many_bad_lines_fold_into_one_message(harness: Harness) -> None:
    sam = await secretary(harness)
    bad = "name,unit\n" + "".join(f"P{i},NOPE{i}\n" for i in range(3000))
    [problems] = await harness.send(sam, sam.document("register.csv", bad.encode()))
    assert problems.text is not None and len(problems.text) <= 4096
    assert 'Line 2: There is no unit with the code "NOPE0".' in problems.text
    assert "more" in problems.text
    assert await entries(harness) == []


async def test_wrong_type_too_big_and_unreadable_files_can_be_sent_again(
    harness: Harness,
) -> None:
    sam = await secretary(harness)
    [answer] = await harness.send(sam, sam.document("photo.png", b"\x89PNG\r\n"))
    assert answer.text == (
        "photo.png is not a CSV or XLSX file. Please send the register as .csv or .xlsx, or"
        " /cancel."
    )
    big = sam.document("register.csv", b"x")
    big["message"]["document"]["file_size"] = 30_000_000
    [answer] = await harness.send(sam, big)
    assert answer.text == (
        "register.csv is larger than 20 MB. Split it into parts and send them one by one, or"
        " /cancel."
    )
    [answer] = await harness.send(sam, sam.document("register.csv", b"\x00\x01\xff\xfe\xfa"))
    assert answer.text is not None and "not text in UTF-8 or GB18030" in answer.text
    [answer] = await harness.send(sam, sam.document("register.xlsx", b"PK\x03\x04"))
    assert answer.text is not None and "not a readable XLSX workbook" in answer.text
    [answer] = await harness.send(sam, sam.message("here it comes"))
    assert answer.text == ASK
    # Telegram failing to hand the file over: said, and the next try works.
    harness.api.fail_next("getFile", error_code=400, description="Bad Request: file is too big")
    [answer] = await harness.send(sam, sam.document("register.csv", RIV.encode()))
    assert answer.text == "I could not fetch the file from Telegram. Please send it again."
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in RIV.splitlines():
        sheet.append(row.split(","))
    data = io.BytesIO()
    book.save(data)
    [preview] = await harness.send(sam, sam.document("register.xlsx", data.getvalue()))
    assert preview.text is not None and preview.text.startswith("register.xlsx: 2 added")
    assert await entries(harness) == []


async def test_cancel_at_either_step_writes_nothing(harness: Harness) -> None:
    sam = await secretary(harness)
    [answer] = await harness.send(sam, sam.command("cancel"))
    assert answer.text == "Cancelled. The register was not changed."
    await harness.send(sam, sam.command("register"))
    [preview] = await harness.send(sam, sam.document("register.csv", RIV.encode()))
    [cancelled] = await harness.send(sam, sam.press(preview, "Cancel"))
    assert cancelled.text == "Cancelled. The register was not changed."
    assert await entries(harness) == []
    # With no flow, a CSV is still the roster's (as before /register existed).
    [answer] = await harness.send(sam, sam.document("register.csv", RIV.encode()))
    assert answer.text is not None and "grid,member,date,start,end" in answer.text


async def test_a_register_changed_since_the_preview_is_previewed_again(
    harness: Harness,
) -> None:
    sam = await secretary(harness)
    [preview] = await harness.send(sam, sam.document("register.csv", RIV.encode()))
    await harness.services.register.import_file(
        Actor.console(), write(harness.tmp_path, RIV), prune=False
    )
    [again] = await harness.send(sam, sam.press(preview, "✅ Import"))
    assert again.text == (
        "The register changed since the file was checked. Here is how it stands now:\n"
        "register.csv: nothing to change (2 entries already as in the file)."
    )
    assert len(await entries(harness)) == 2


async def test_only_secretaries_may_send_the_register(harness: Harness) -> None:
    ann = harness.person(801, "Ann")
    await harness.join(ann, "RIV-1")
    [answer] = await harness.send(ann, ann.command("register"))
    assert answer.text == (
        "Only secretaries can load the member register, for their own unit and the units below it."
    )
    assert ("invite_member", "denied") in await audits(harness)
