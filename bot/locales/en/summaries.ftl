## Coordinators' summaries

summary-title = 📊 <b>{ $unit } — { $day }</b>
summary-late = ⏰ Late: this was due at { $time } while the bot was down.
summary-nothing = Nothing to report: { $unit } has no members yet.
summary-day-off = Day off: no check-in expected ({ $members } members).
summary-checkins = Members { $members } · checked in { $checked } ({ $rate }) · excused by check-in { $excused } · on recorded leave { $leave } · <b>missing { $missing }</b>
summary-change = Against { $day }: checked in { $checked }, missing { $missing }
summary-change-first = No earlier day to compare with: this is the first with members.
summary-by-unit = <b>By unit, worst first</b> (checked in / expected, missing, change)
summary-unit-line = • { $unit }: { $checked }/{ $expected } ({ $rate }) · missing { $missing } ({ $change })
summary-own-unit = { $unit } (own members)
summary-more-units = …and { $count } more units
summary-own-missing = <b>Missing in { $unit } itself:</b> { $names }
summary-duty-none = <b>Duty:</b> no grids or shifts today.
summary-duty = <b>Duty:</b> grids { $grids } · covered { $covered } · <b>uncovered { $uncovered }</b>
    shifts: to confirm { $unconfirmed } · confirmed { $confirmed } · cover needed { $open } · on duty { $started } · completed { $completed } · declined { $declined } · <b>no-show { $noshow }</b>
summary-directives-none = <b>Directives today:</b> none.
summary-directives = <b>Directives today</b>
summary-directive-acked = • “{ $title }” — acknowledged { $acked }/{ $recipients } ({ $rate })
summary-directive-sent = • “{ $title }” — sent { $sent }/{ $recipients } (no acknowledgement asked)
summary-problems = <b>Problems:</b> { $flagged ->
        [one] 1 flagged check-in
       *[other] { $flagged } flagged check-ins
    }, { $incidents ->
        [one] 1 incident on duty
       *[other] { $incidents } incidents on duty
    }
summary-flags-open = 🚩 flags open: { $open }{ $old ->
        [0] {""}
       *[other] {" "}({ $old } older than 24 h)
    }
summary-flagged-line = • 🚩 { $name } ({ $unit })
summary-incident-line = • ⚠️ { $time } { $unit }: { $text }
summary-week-title = 📈 <b>{ $unit } — the week to { $day }</b>
summary-week-days = <b>Check-in rate per day</b>
summary-week-day = • { $day }: { $rate } · missing { $missing }
summary-week-units = <b>By unit, worst last day first</b> (first day → last day)
summary-week-unit = • { $unit }: { $first } → { $last } ({ $trend })
summary-bad-date = “{ $text }” is not a date. Write it like 2026-12-01: /summary 2026-12-01
summary-unknown-unit = There is no unit with the code “{ $code }”.
summary-not-allowed = Summaries are for coordinators and secretaries, of their own units.
summary-future = That day has not come yet; ask for today or an earlier day.
summary-pick = Which committee?
cmd-summary = A committee's summary for a day
summary-status-checked-in = checked in
summary-yes = yes
summary-answer-photo = photo
summary-status-on-leave = on recorded leave
summary-status-missing = missing
summary-sheet-units = Units
summary-sheet-members = Members
summary-sheet-shifts = Shifts
summary-sheet-directives = Directives
summary-sheet-days = Days
summary-sheet-answers = Answers
summary-answers-cut = …and more check-ins than one sheet holds: export fewer days or a smaller unit to see them all.
summary-sheet-reports = Duty reports
summary-sheet-definitions = Definitions
summary-col-code = Code
summary-col-unit = Unit
summary-col-level = Level
summary-col-members = Members
summary-col-checked = Checked in
summary-col-excused = Excused by check-in
summary-col-leave = On recorded leave
summary-col-missing = Missing
summary-col-rate = Rate %
summary-col-name = Name
summary-col-username = Username
summary-col-status = Status
summary-col-flag = Flag
summary-col-time = Time
summary-col-grid = Grid
summary-col-grid-name = Grid name
summary-col-start = Start
summary-col-end = End
summary-col-decline-reason = Decline reason
summary-shift-assigned = to confirm
summary-shift-confirmed = confirmed
summary-shift-open = cover needed
summary-shift-uncovered = uncovered
summary-shift-started = on duty
summary-shift-completed = completed
summary-shift-no-show = no-show
summary-shift-cancelled = cancelled
summary-shift-declined = declined
summary-col-id = No.
summary-col-text = Text
summary-col-ack-required = Acknowledgement asked
summary-col-recipients = Recipients
summary-col-sent = Sent
summary-col-acked = Acknowledged
summary-col-day = Day
summary-col-figure = Figure
summary-col-definition = What it counts
summary-def-members = Active members of the unit who had joined by the end of the day.
summary-def-checked = Members who sent the day's check-in, including those whose answer excuses them (sick, leave). The text, the chart and every sheet count it this way.
summary-def-excused = Of those checked in, the ones whose answer excuses them. Part of "Checked in", not added to it.
summary-def-leave = Members on leave recorded with /leave who did not check in: nobody expects a check-in from them.
summary-def-missing = Members minus checked in minus on recorded leave.
summary-def-rate = Checked in as a share of those expected (members minus on recorded leave); empty when nobody was expected.
summary-chart-title = { $unit } — { $day }
summary-chart-week-title = { $unit } — the week to { $day }
summary-chart-bar = { $checked }/{ $expected } ({ $rate })
summary-chart-rate = Checked in, % of expected
summary-chart-low = below { $rate }%
summary-chart-good = { $rate }% or more
summary-chart-week-units = each unit below it
summary-chart-failed = (The chart could not be drawn this time; the numbers above are complete.)
summary-book-failed = (The spreadsheet could not be made this time; the numbers above are complete.)
export-usage = Send the first and last day: /export 2026-11-01 2026-11-30 — and a unit code if you have several committees.
export-which = You see several committees; add one of their codes: { $codes }
export-backwards = The first day comes after the last one. Send them the other way round.
export-capped = An export covers at most { $days } days: here { $first } to { $last }.
cmd-export = Spreadsheet of a date range
summary-chat-usage = Send it with the committee's code: /summaries_here RIV (or /summaries_stop RIV).
summary-chat-in-group = /summaries_here and /summaries_stop work in a group chat: add me to the group, then send it there with the committee's code, e.g. /summaries_here RIV.
summary-chat-not-allowed = Only a coordinator of { $unit } can send its summaries to a group.
summary-chat-on = This group will get { $unit }'s summaries too.
summary-chat-already = This group already gets { $unit }'s summaries.
summary-chat-off = This group will no longer get { $unit }'s summaries.
summary-chat-not-on = This group does not get { $unit }'s summaries.
summary-book-caption = 📎 { $unit }, { $day }: units, members with the day's status, shifts and directives.
