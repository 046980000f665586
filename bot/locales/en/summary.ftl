## Coordinators' summaries

summary-title = 📊 <b>{ $unit } — { $day }</b>
summary-late = ⏰ Late: this was due at { $time } while the bot was down.
summary-nothing = Nothing to report: { $unit } has no members yet.
summary-day-off = Day off: no check-in expected ({ $members } members).
summary-checkins = Members { $members } · checked in { $checked } ({ $rate }) · excused { $excused } · on leave { $leave } · <b>missing { $missing }</b>
summary-change = Against the day before: checked in { $checked }, missing { $missing }
summary-by-unit = <b>By unit, worst first</b> (checked in / expected, missing, change)
summary-unit-line = • { $unit }: { $checked }/{ $expected } ({ $rate }) · missing { $missing } ({ $change })
summary-own-unit = { $unit } (own members)
summary-more-units = …and { $count } more units
summary-own-missing = <b>Missing in { $unit } itself:</b> { $names }
summary-duty-none = <b>Duty:</b> no grids or shifts today.
summary-duty = <b>Duty:</b> grids { $grids } · covered { $covered } · <b>uncovered { $uncovered }</b>
    shifts: unconfirmed { $unconfirmed } · confirmed { $confirmed } · cover needed { $open } · started { $started } · completed { $completed } · declined { $declined } · <b>no-show { $noshow }</b>
summary-directives-none = <b>Directives today:</b> none.
summary-directives = <b>Directives today</b>
summary-directive-acked = • “{ $title }” — acknowledged { $acked }/{ $recipients } ({ $rate })
summary-directive-sent = • “{ $title }” — sent { $sent }/{ $recipients } (no acknowledgement asked)
summary-problems = <b>Problems:</b> { $flagged } flagged check-ins, { $incidents } incidents on duty
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
