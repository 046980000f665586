## Grid duty: confirm, decline, cover, the schedule's prompts and notes, /duty.

duty-shift = <b>{ $grid }</b> ({ $code }) · { $unit }
    { $when }

# Prompts to the shift's member
duty-ask = 📋 <b>Duty shift</b> — please confirm or decline.
    { $shift }
duty-remind = ⏰ Reminder: please confirm or decline your duty shift.
    { $shift }
duty-start-now = 🟢 Your duty shift starts now. Press Start duty when you are at your post.
    { $shift }
duty-end-now = 🏁 Your duty shift is over. Press End duty to file the short report.
    { $shift }
duty-offer = 🆘 <b>Cover needed</b> — can you take this shift?
    { $shift }

duty-button-confirm = ✅ Confirm
duty-button-decline = ❌ Decline
duty-button-start = 🟢 Start duty
duty-button-take = Take this shift
duty-numbered = { $n }. { $label }

# Notes to the secretaries (and to members offered a shift someone took)
duty-note-declined = ❌ <b>{ $name }</b> declined a duty shift.
    { $shift }
    Reason: { $reason }
    { $offers }
duty-note-unconfirmed = ⚠️ <b>{ $name }</b> has not confirmed a duty shift — cover requested.
    { $shift }
    { $offers }
duty-note-left = ⚠️ <b>{ $name }</b> left the unit — their duty shift needs cover.
    { $shift }
    { $offers }
duty-note-no-show = ❌ <b>No-show</b>: { $name } has not started duty.
    { $shift }
duty-note-uncovered = ❌ <b>Uncovered</b>: nobody took this shift.
    { $shift }
duty-note-covered = ✅ <b>{ $name }</b> covers this shift.
    { $shift }
duty-note-taken = Someone else has taken this shift. Thank you all the same.
    { $shift }
duty-note-ask-closed = ⌛ The time to confirm or decline this shift has passed.
    { $shift }
duty-note-offer-closed = ⌛ This shift has started: it can no longer be taken.
    { $shift }
duty-offered = { $count ->
    [0] Nobody else in the unit is free then.
    [one] Offered to 1 member.
   *[other] Offered to { $count } members.
}

# Answers to presses
duty-confirmed = ✅ <b>Confirmed.</b> A Start duty button follows when the shift begins.
    { $shift }
duty-covered = ✅ <b>The shift is yours.</b> Thank you! A Start duty button follows when it begins.
    { $shift }
duty-already-confirmed = You have already confirmed this shift.
duty-already-yours = This shift is already yours.
duty-not-yours = This shift is no longer yours. Nothing was changed.
duty-cancelled = This shift was cancelled. Nothing was changed.
duty-over = This shift has started or is over. Nothing was changed.
duty-taken = Someone else took this shift first. Thank you all the same.
duty-busy = You have another shift at that time. Nothing was changed.
duty-other-unit = This shift belongs to another unit.

# Declining
duty-decline-ask = ❌ <b>Decline this shift?</b>
    { $shift }
    Send the reason in a few words (up to { $limit } characters), or /cancel to keep the shift.
duty-decline-kept = The shift is still yours. Nothing was changed.
duty-reason-text = Please type the reason as text (up to { $limit } characters), or /cancel to keep the shift.
duty-reason-too-long = That is { $length } characters; the limit is { $limit }. Send a shorter reason, or /cancel.
duty-declined = Declined. Your secretary has been told, and the shift is offered to others.
    { $shift }

# /duty
duty-none = No duty shifts for you in the next 7 days, and no open shifts to take.
duty-list-mine = <b>Your duty shifts</b>
    { $lines }
duty-list-open = <b>Open shifts you could take</b>
    { $lines }
duty-line = { $n }. { $when } · <b>{ $grid }</b> ({ $code }) — { $status }
duty-status-assigned = ⚠️ to confirm
duty-status-confirmed = ✅ confirmed
duty-status-started = 🟢 on duty
duty-status-no-show = ❌ no-show
duty-status-open = 🆘 cover needed

## On duty: Start duty, End duty (the report), Report incident

onduty-cancelled = Nothing was changed.
onduty-ask-location = <b>Start duty</b> on { $grid } · { $when }
    Share your location with the button below, or start without it.
onduty-share-location = 📍 Share my location
onduty-no-location = Start without location
onduty-location-expected = Please press “📍 Share my location” or “Start without location”, or send /cancel.
onduty-started = ✅ On duty on <b>{ $grid }</b> since { $time }.
onduty-started-outside = Your location is { $distance } m from the grid's centre; your secretary has been told.
onduty-on-duty = While on duty on { $grid }: report an incident at any time, and end duty when you are done.
onduty-incident-button = ⚠️ Report incident
onduty-end-button = 🏁 End duty
onduty-start-notice = 🟢 <b>{ $name }</b> started duty on <b>{ $grid }</b> ({ $unit }) at { $time }.
    { $notes }
onduty-notice-late = ⏰ Late: after the no-show alert.
onduty-notice-outside = 📍 { $distance } m from the grid's centre (radius { $radius } m).
onduty-report-question = <b>End of duty { $number }/{ $total }</b> — { $prompt }
    { $hint }
onduty-report-confirm = <b>Your end-of-duty report</b>
    { $summary }
    Submit it to end duty.
onduty-submit = ✅ Submit and end duty
onduty-start-over = ↺ Start over
onduty-ended = 🏁 Duty on <b>{ $grid }</b> ended at { $time }. Report saved — thank you.
onduty-incident-ask = <b>Report an incident</b> on { $grid }
    Send text, a photo (a caption is fine) and/or a location, then press “Send”.
onduty-incident-send = 📨 Send
onduty-incident-added = Added: { $parts }. Send more, or press “Send”.
onduty-incident-has-text = text
onduty-incident-has-photo = photo
onduty-incident-has-location = location
onduty-incident-unsupported = Only text, a photo or a location can be added. Send one of those, or /cancel.
onduty-incident-sent = 📨 Incident sent to your secretary.
onduty-incident-notice = ⚠️ <b>Incident</b> on <b>{ $grid }</b> ({ $unit }) at { $time }, reported by { $name }:
    { $text }{ $where }
onduty-incident-where = { "" }
    📍 { $lat }, { $lon }
onduty-error-not-yours = This shift is not yours (any more). Send /duty to see your shifts.
onduty-error-cancelled = This shift was cancelled. Send /duty to see your shifts.
onduty-error-already-started = You are already on duty (since { $at }).
onduty-error-already-ended = This duty has already ended ({ $at }).
onduty-error-over = This shift is over (it ended { $at }); it can no longer be started.
onduty-error-too-early = Too early: you can start this duty from { $at }.
onduty-error-not-started = This duty has not been started, so it cannot be ended.
onduty-error-not-on-duty = You can report incidents only while on duty on this shift.
onduty-error-report-changed = The report form has changed; please answer it again.
onduty-error-incident-empty = Add some text, a photo or a location first.
onduty-error-incident-too-long = The text has { $length } characters; the limit is { $limit }. Send a shorter one.

## Grids and the duty roster (handlers/duty/{grids,assign,upload,roster}.py, bot/duty/{roster,grids,reading}.py, app/cli.py).

roster-not-allowed = Only secretaries and coordinators can do that, for their own units.

# Problems with a file, a row or a typed answer. "Line 3: …" when there is a line.
roster-problem-line = Line { $line }: { $problem }
roster-problem-too-big = The file is larger than { $limit }. Split it and send the parts.
roster-problem-not-text = The file is not text in UTF-8 or GB18030. In Excel choose "Save as" → "CSV UTF-8" and try again.
roster-problem-not-csv = Please send the roster as a .csv file with the columns grid,member,date,start,end (and optionally repeat_weeks).
roster-problem-bad-csv = The file cannot be read as CSV ({ $error }).
roster-problem-bad-toml = The file is not valid TOML: { $error }
roster-problem-too-many-rows = The file has more than { $limit } rows. Split it and send the parts.
roster-problem-no-rows = The file has no rows below its header.
roster-problem-bad-header = The first line must name the columns { $columns } (optionally also { $optional }).
roster-problem-unknown-columns = Unknown column(s): { $columns }.
roster-problem-extra-fields = More fields than the header names (a comma too many?).
roster-problem-missing = Missing: { $columns }.
roster-problem-bad-code = The code "{ $code }" must be 1–32 letters, digits, "-", "_" or ".".
roster-problem-code-taken = The code { $code } is already used by another grid. Choose another code.
roster-problem-duplicate-code = The code { $code } is already used on line { $other }.
roster-problem-name-too-long = The name is longer than { $max } characters.
roster-problem-unknown-unit = There is no unit with the code "{ $unit }".
roster-problem-unit-scope = Grid { $code } would be in a unit outside your scope.
roster-problem-bad-lat = The latitude "{ $value }" is not a number from -90 to 90.
roster-problem-bad-lon = The longitude "{ $value }" is not a number from -180 to 180.
roster-problem-half-centre = Give both lat and lon for a centre, or neither.
roster-problem-bad-radius = The radius must be a whole number of metres from 1 to { $max }.
roster-problem-radius-without-centre = A radius needs a centre (lat and lon).
roster-problem-unknown-grid = There is no grid with the code "{ $code }".
roster-problem-inactive-grid = Grid { $code } is deactivated.
roster-problem-grid-scope = Grid { $code } is outside your units.
roster-problem-unknown-member = There is no member "{ $member }". Name them by @username or Telegram id.
roster-problem-ambiguous-member = Several members are "{ $member }". Name them by Telegram id.
roster-problem-inactive-member = { $name } is no longer active.
roster-problem-member-outside = { $name } is not in { $unit } or a unit below it, where grid { $code } belongs.
roster-problem-bad-date = "{ $value }" is not a date like 2026-12-01.
roster-problem-bad-time = "{ $value }" is not a time like 18:00.
roster-problem-zero-length = The shift starts and ends at { $time }: it would last no time at all.
roster-problem-too-long = The shift would last more than 24 hours.
roster-problem-past = The shift on { $day } at { $time } would start in the past.
roster-problem-bad-repeat = Weekly repeats must be a whole number from 0 to { $max }.
roster-problem-overlap-file = { $name } already has a shift at that time on line { $other }.
roster-problem-overlap-existing = { $name } already has a shift on { $day }, { $time }.
roster-problem-already-there = This shift of { $name } on { $day } is already on the roster.
roster-problem-unknown-shift = That shift can no longer be changed.

# /grids
grids-add-cancelled = Cancelled. No grid was added.
grids-choose-unit = Whose grids? Choose a unit ({ $count }).
grids-list = <b>Grids of { $unit }</b> ({ $count })
    { $lines }
grids-line = • <b>{ $code }</b> { $name }{ $where }
grids-none = No grids yet.
grids-centre = { " " }· 📍 { $lat }, { $lon }
grids-centre-radius = { " " }· 📍 { $lat }, { $lon }, { $radius } m
grids-add-button = ➕ Add a grid
grids-off-button = ✖ { $grid }
grids-off-ask = Deactivate grid <b>{ $grid }</b>? No new shifts can be put on it.
    { $count ->
        [0] It has no shifts ahead.
        [one] Its 1 shift ahead stays on the roster; cancel it in /roster if needed.
       *[other] Its { $count } shifts ahead stay on the roster; cancel them in /roster if needed.
    }
grids-off-confirm = ✖ Deactivate
grids-off-done = ✅ Grid { $grid } deactivated.
grids-ask-code = New grid in <b>{ $unit }</b>. Send its code: letters, digits, "-", "_" or "." (e.g. RIV-1-G3).
grids-ask-name = Code <b>{ $code }</b>. Now send the grid's name (e.g. Market Street).
grids-ask-centre = Send the grid's centre as a location (📎 → Location), or skip it.
grids-skip = Skip
grids-centre-expected = Please send a location (📎 → Location), press Skip, or /cancel.
grids-ask-radius = How far from the centre does the grid reach? Choose, or send a number of metres.
grids-metres = { $n } m
grids-radius-expected = That is not a number of metres from 1 to 50000. Send it again, or /cancel.
grids-added = ✅ Grid { $grid } added.

# /assign
assign-cancelled = Cancelled. No shift was saved.
assign-choose-unit = New shift — which unit? Choose ({ $count }), or type part of its name.
assign-choose-grid = Which grid of <b>{ $unit }</b>?
assign-no-grids = <b>{ $unit }</b> has no grids yet. Add them with /grids.
assign-choose-member = Who is on duty at <b>{ $grid }</b>? Choose ({ $count }), or type part of a name.
assign-choose-member-search = Members matching "{ $query }" for <b>{ $grid }</b>:
assign-no-members = Nobody can take shifts at <b>{ $grid }</b>: its unit has no active members.
assign-member-not-found = No member matches "{ $query }". Type another name, or choose above.
assign-ask-date = Which day? Choose, or type a date like 2026-12-03.
assign-today = Today
assign-tomorrow = Tomorrow
assign-bad-date = That is not a date I understand. Type it like 2026-12-03, or /cancel.
assign-past-date = That day has passed. Choose today or a later day.
assign-ask-time = { $day }: send the start and end time like 18:00-22:00. An end before the start means the next morning.
assign-bad-time = That is not a time span like 18:00-22:00. Send it again, or /cancel.
assign-ask-repeat = Repeat it at the same time in the following weeks? Choose, or send a number of weeks (0 to { $max }).
assign-repeat-none = Only once
assign-repeat-n = + { $n ->
        [one] 1 week
       *[other] { $n } weeks
    }
assign-bad-repeat = Send a whole number of weeks from 0 to { $max }, or /cancel.
assign-preview = <b>New shift</b>
    Grid: { $grid } ({ $unit })
    Member: { $name }
    When: { $when }
assign-preview-repeats = Weekly until { $until } ({ $count } shifts)
assign-save = ✅ Save
assign-saved = ✅ Saved: { $name } at { $grid }, { $when }{ $count ->
        [1] .
       *[other] , then weekly: { $count } shifts in all.
    } They are asked to confirm { $before } before.

# A roster CSV sent as a file
upload-cancelled = Cancelled. Nothing was imported.
upload-done = ✅ { $shifts ->
        [one] 1 shift
       *[other] { $shifts } shifts
    } imported from { $name } ({ $rows ->
        [one] 1 row
       *[other] { $rows } rows
    }). Members are asked to confirm before each shift.
upload-unreadable = ⚠️ { $name } cannot be imported. Nothing was changed.
    { $problems }
upload-problems = ⚠️ { $name }: { $bad } of { $rows ->
        [one] 1 row has
       *[other] { $rows } rows have
    } problems. Nothing is imported yet.
    { $problems }
upload-nothing-good = No row can be imported. Correct the file and send it again.
upload-import-good = Import the { $count ->
        [one] good row
       *[other] { $count } good rows
    } ({ $shifts ->
        [one] 1 shift
       *[other] { $shifts } shifts
    })
upload-changed = The roster changed since the file was checked. Here is how it stands now:
upload-partial-done = ✅ { $shifts ->
        [one] 1 shift
       *[other] { $shifts } shifts
    } imported from { $rows ->
        [one] 1 row
       *[other] { $rows } rows
    }; { $skipped } skipped.
# /roster
roster-choose-unit = Roster — which unit? ({ $count })
roster-day = <b>Roster — { $unit }</b>, { $day }
roster-coverage = { $unit }: { $grids ->
        [one] 1 grid
       *[other] { $grids } grids
    }, { $uncovered } without a shift · { $counts }
roster-count-none = no shifts
roster-count-assigned = { $n } to confirm
roster-count-confirmed = { $n } confirmed
roster-count-open = { $n } need cover
roster-count-uncovered = { $n } uncovered
roster-count-started = { $n } on duty
roster-count-completed = { $n } completed
roster-count-no-show = { $n } no-show
roster-no-grids = No grids here yet. Secretaries add them with /grids.
roster-in-unit = { " " }({ $unit })
roster-grid = <b>{ $code }</b> { $name }{ $unit }
roster-grid-empty = <b>{ $code }</b> { $name }{ $unit } — ⚠️ no shift
roster-shift-line = { "  " }{ $time } { $name } · { $status }
roster-status-assigned = to confirm
roster-status-confirmed = confirmed
roster-status-open = ⚠️ cover needed
roster-status-uncovered = ❌ uncovered
roster-status-started = on duty
roster-status-completed = ✅ completed
roster-status-no-show = ❌ no-show
roster-status-cancelled = cancelled
roster-cancel-button = ✖ Cancel a shift
roster-units-button = ‹ Units
roster-cancel-choose = Which shift of { $day } do you want to cancel?
roster-cancel-ask = Cancel this shift?
    { $grid }, { $when }, { $name }
roster-cancel-told = { $name } will be told.
roster-cancel-confirm = ✖ Cancel the shift
roster-cancel-done = Shift cancelled.
roster-cancelled-notice = Your duty shift at <b>{ $grid }</b> on { $day }, { $time } was cancelled by your secretary.
