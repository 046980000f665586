## The leaders' daily report: /report, its reminders, the list of units that did not report
## and the digest for the level above.

cmd-report = Your unit's daily report
report-name = { $title } — { $unit }
report-none = You have no daily report to file: reports are for the roles and units the organisation configured.
report-pick = Which report?
report-not-yours = This report is not yours to file (not your unit or role). Nothing was changed.
report-day-off = No report is needed today ({ $day }).
report-not-yet = { $name }: the report opens at { $time }. Come back then with /report.
report-closed = { $name }: today's report was due at { $time } and can no longer be changed.
report-window-passed = The report was due before you finished; nothing was saved.
report-current = <b>{ $name }</b>
    Filed by { $author } at { $time }:
    { $summary }
report-change = ✏️ Change it
report-keep = Keep it
report-kept = The report stays as it is.
report-question = <b>Report { $number }/{ $total }</b> — { $prompt }
    { $hint }
report-confirm = <b>Your report</b>
    { $summary }
    Submit it?
report-submit = ✅ Submit
report-start-over = Start over
report-saved = ✅ { $name }: filed for { $day }.
report-updated = ✅ { $name }: report for { $day } updated.
report-taken = ⚠️ Someone else filed this unit's report first; theirs counts. Open it with /report to change it.
report-cancelled = Report cancelled. Nothing was saved.
report-reminder = ⏰ <b>{ $title }</b> for { $unit }, { $day }: due by { $time }.
report-now = File the report
report-missing = ⚠️ <b>{ $title }</b> — { $unit }, { $day }: { $count ->
        [one] 1 unit has not reported
       *[other] { $count } units have not reported
    } — { $units }
report-units-more = { $names } …and { $count } more.
report-summary-line = 📝 { $title }: { $reported } of { $total } units
report-summary-missing = missing: { $units }
report-week = <b>Units that reported, per day</b>
report-week-day = • { $day }: { $forms }
report-week-form = { $title } { $reported }/{ $total }
report-digest-title = 📋 <b>{ $title }</b> — { $unit }, { $day }
    { $reported } of { $total } units reported
report-digest-unit = <b>{ $unit }</b> ({ $name }, { $time })
    { $answers }
report-digest-more = …and { $count } more reports, not shown here.
report-digest-missing = ❌ Not reported ({ $count }): { $units }
