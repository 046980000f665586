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
