## Grids and the duty roster (handlers/duty/roster.py, bot/duty/roster.py, app/cli.py).

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
upload-failed = I could not fetch the file from Telegram. Please send it again.
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
