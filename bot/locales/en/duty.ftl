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
