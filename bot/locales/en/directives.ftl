## Directives: composing, receiving, chasing, watching.

# Directives: composing
cmd-directive = Send a directive to your units
cmd-directives = Recent directives: sent and acknowledged
button-continue = Continue ›
directive-not-allowed = Only secretaries can send directives, to their own unit and the units below it.
directive-targets = <b>New directive</b> — who should receive it?
    Tap a unit once for it and every unit below it (☑), again for that unit alone (◉), a third time to remove it. Type part of a name to search.
    Selected: { $units } { $units ->
        [one] unit
       *[other] units
    } · <b>{ $members }</b> { $members ->
        [one] member
       *[other] members
    }
directive-targets-matching = Units matching “{ $query }”: { $found }
directive-targets-without-you = { " " }(not counting you)
directive-unit-included = Already included: { $unit } is selected with every unit below it.
directive-choose-a-unit = Choose at least one unit first.
directive-no-recipients = Nobody would receive it: the selected units have no members in Telegram. Choose other units.
directive-ask-text = Now send the text of the directive: up to { $limit } characters; bold, italics and links are kept.
    To attach one photo or document, send it first, or with the text as its caption.
directive-ask-text-attached = Attachment received { $name }. Now send the text of the directive (up to { $limit } characters).
follow-up-start = <b>Follow-up</b> to the { $count } { $count ->
        [one] member
       *[other] members
    } in { $unit } who chose “{ $choice }”. It goes to whoever has that answer when it is sent.
follow-up-nobody = Nobody in { $unit } has chosen “{ $choice }”.
follow-up-stale = That question was withdrawn: there is nobody to follow up.
directive-text-empty = The directive has no text. Send the text, or /cancel.
directive-text-too-long = That text has { $length } characters; the limit is { $limit } (Telegram allows 4,096 and Muster adds a heading). Shorten it and send it again, or /cancel.
directive-unsupported-attachment = That kind of message cannot be attached. Send text, one photo or one document, or /cancel.
directive-ask-ack = Should members acknowledge it with one tap?
directive-ack-yes = Yes, by a deadline
directive-ack-no = No
directive-ack-answers = ❓ Ask for an answer
directive-ask-choices-first = <b>Answers</b> — what can members answer? Type the first choice (at most { $limit } characters), or tap the usual ones below.
directive-ask-choices = <b>Answers</b> — members tap one of these:
    { $choices }
    Type another choice to add it (at most { $most }), or tap one to ask a reason or a number after it.
directive-use-presets = Use: { $choices }
directive-choice-line = { $number }. { $label }{ $extras }
directive-choice-reason = { $reason ->
        [required] reason required
       *[optional] reason optional
    }
directive-choice-number = then “{ $prompt }” ({ $low }–{ $high })
directive-choice = Choice { $number }: <b>{ $label }</b>{ $extras }
    Should members who tap it be asked why, or for a number?
directive-reason-none = No reason
directive-reason-optional = Reason optional
directive-reason-required = Reason required
directive-number-add = Ask a number
directive-number-remove = No number
directive-choice-remove = Remove this choice
directive-ask-number-prompt = What number should members who tap “{ $label }” send? Type the question, or tap the usual one.
directive-number-preset = How many people can you bring?
directive-ask-number-bounds = “{ $prompt }” — from what to what? Type the smallest and the largest, like 0-20, or the smallest alone.
directive-ask-number-high = And the largest (at least { $low })?
directive-number-not-range = That is not a range. Type two whole numbers like 0-20, or /cancel.
directive-number-not-whole = That is not a whole number. Type the largest, like 20, or /cancel.
directive-type-text = Please type it as text, or /cancel.
question-preset-come = I can come
question-preset-transport = I need transport
question-preset-cannot = I cannot
question-too-few = A question needs at least { $least } choices. Add another, or /cancel.
question-too-many = A question can offer at most { $most } choices: more do not fit on a phone's screen. Remove one, or /cancel.
question-label-empty = Choice { $choice } has no text. Type a short label for it, or /cancel.
question-label-too-long = Choice { $choice } has { $length } characters; a button shows at most { $limit }. Shorten it and send it again, or /cancel.
question-label-duplicate = Choice { $choice }, “{ $label }”, is already offered. Type a different one, or /cancel.
question-prompt-empty = The number question after choice { $choice } has no text. Type it, like “How many people can you bring?”, or /cancel.
question-prompt-too-long = The number question after choice { $choice } has { $length } characters; the limit is { $limit }. Shorten it and send it again, or /cancel.
question-number-bounds = { $low } to { $high } is not a range: the smallest must be 0 or more and not above the largest, at most 999999. Send two numbers like 0 50, or /cancel.
directive-ask-deadline = By when must it be acknowledged? Choose, or type a time like 18:00 or 2026-12-01 18:00 ({ $zone }).
directive-ask-deadline-answer = By when must members answer? Choose, or type a time like 18:00 or 2026-12-01 18:00 ({ $zone }). Answers close then; those who have not answered are reminded shortly before, while they can still answer.
directive-ask-schedule = When should it go out? Choose, or type a time like 08:00 or 2026-12-01 08:00 ({ $zone }).
directive-send-now = Now
directive-bad-time = That is not a time I understand. Type it like 18:00 or 2026-12-01 18:00, or /cancel.
directive-past-time = That time has already passed. Choose or type a later one, or /cancel.
directive-deadline-past = The deadline has passed while you were writing. Choose a new one.
directive-deadline-before-send = The deadline must come after the directive goes out. Choose a later deadline.
directive-preview = <b>Preview</b> — { $members } { $members ->
        [one] member
       *[other] members
    } in { $units } { $units ->
        [one] unit
       *[other] units
    } will receive this. Sending: { $when }.{ $attachment }
    ────────
    { $body }
directive-preview-attachment = { " " }With { $kind ->
        [photo] a photo
       *[other] a document { $name }
    }.
directive-preview-follow-up = ✉️ Only to those who chose “{ $choice }” (as they have answered when it is sent).
directive-preview-followups = { " " }After a tap: { $followups }.
directive-preview-followup = “{ $label }”{ $extras }
directive-preview-choice = Members will answer with this button; a tap on the preview records nothing.
directive-send = ✅ Send
directive-paid-button = ⚡ Urgent (paid)
directive-free-button = Send at the free rate instead
directive-preview-paid = ⚡ <b>Urgent (paid)</b>: about <b>{ $stars } ⭐</b> for { $members } { $members ->
        [one] member
       *[other] members
    } at up to { $rate }/s (cap { $cap } ⭐ per directive).
directive-paid-over-cap = ⚠️ About { $stars } ⭐ for { $members } { $members ->
        [one] member
       *[other] members
    } is over the cap of { $cap } ⭐ per directive. Send it at the free rate, or choose fewer units.
directive-paid-unavailable = Paid broadcasts are not available now. Send it at the free rate, or /cancel.
directive-cancelled = Cancelled. Nothing was sent.
directive-scheduled = ⏳ Scheduled for { $when }. You will see the progress here when it goes out.
directive-progress = Sending… <b>{ $sent }</b> / { $total } sent · { $unreachable } unreachable
directive-finished = ✅ Directive sent: <b>{ $sent }</b> of { $total } · { $unreachable } unreachable{ $failed ->
        [0] {""}
       *[other] { " " }· { $failed } failed
    }
directive-progress-withdrawn = ❌ Directive withdrawn: <b>{ $sent }</b> of { $total } sent · { $withdrawn } not sent · { $unreachable } unreachable{ $failed ->
        [0] {""}
       *[other] { " " }· { $failed } failed
    }
directive-paid-used = ⚡ Paid · about { $stars } ⭐ used (cap { $cap } ⭐)
directive-paid-capped = ⚡ Paid · about { $stars } ⭐ used: cap reached, the rest at the free rate
directive-paid-refused = ⚠️ Paid · about { $stars } ⭐ used: the bot's Star balance is too low, the rest at the free rate
fallback-tally = { $channel }: { $sent } sent{ $failed ->
        [0] {""}
       *[other] { " " }· { $failed } failed
    }{ $pending ->
        [0] {""}
       *[other] { " " }· { $pending } to go
    } · { $acked } { $question ->
        [1] answered
       *[0] acknowledged
    }
fallback-channel-email = email
fallback-channel-gateway = SMS
directive-paid-refused-notice = ⚠️ <b>Paid broadcast stopped</b>: Telegram says the bot's Star balance is too low. The rest of the directive from { $unit } goes at the free rate (about 30 a second); about { $stars } ⭐ used. Top up the bot's Stars to send paid broadcasts again.

# Directives: receiving
directive-heading = <b>Directive from { $unit }</b>
directive-heading-ack = <b>Directive from { $unit }</b> — acknowledge by { $deadline }
directive-acknowledged-at = ✅ Acknowledged at { $time }
directive-acknowledged-late = ✅ Acknowledged at { $time }, after the deadline
directive-heading-answer = <b>Directive from { $unit }</b> — answer by { $deadline }
answer-line = ✅ You answered: <b>{ $choice }</b> · { $time }
answer-line-number = ✅ You answered: <b>{ $choice }</b> ({ $number }) · { $time }
answer-line-reason = { $line }
    Reason: { $reason }
answer-closed-line = ⏰ Answers closed at { $time }.
answer-change = ✏️ Change
answer-recorded = Recorded: { $choice }.
answer-unchanged = That is already your answer: { $choice }.
answer-late = Answers closed at { $time }; this press was not recorded.
answer-ask-number = { $prompt }
    Send a whole number from { $low } to { $high }, or /cancel.
answer-bad-number = That is not a whole number from { $low } to { $high }. Send it again, or /cancel.
answer-ask-reason = You chose “{ $choice }”: please send the reason in a few words, or /cancel.
answer-ask-reason-optional = You chose “{ $choice }”. If you like, send the reason in a few words, or tap Skip.
answer-reason-empty = A reason is needed for “{ $choice }”. Send it in a few words, or /cancel.
answer-reason-too-long = That reason has { $length } characters; the limit is { $limit }. Shorten it and send it again, or /cancel.
answer-reason-text = Please send the reason as text, or /cancel.
answer-noted = ✅ Thank you, your answer is recorded.
answer-skip = Skip
answer-detail-kept = Your answer stands as it is.
directive-withdrawn-line = ❌ This directive was withdrawn.
button-acknowledge = ✅ Acknowledge
directive-ack-done = Acknowledged at { $time }.
directive-ack-already = Already acknowledged at { $time }.
directive-withdrawn = This directive was withdrawn.
directive-reminder = ⚠️ <b>Reminder:</b> please acknowledge the directive from { $unit } (due { $deadline }).
directive-reminder-answer = ⚠️ <b>Reminder:</b> please answer the directive from { $unit }: answers close at { $deadline }.
reminder-done = ✅ Acknowledged at { $time }.

# Directives: chasing
escalation-list = ⚠️ <b>{ $count } { $count ->
        [one] member has
       *[other] members have
    } not acknowledged</b> a directive past its deadline:
    { $lines }
escalation-list-answer = ⚠️ <b>{ $count } { $count ->
        [one] member has
       *[other] members have
    } not answered</b> a directive's question past its deadline:
    { $lines }
escalation-list-early = ⚠️ <b>{ $count } { $count ->
        [one] member has
       *[other] members have
    } not yet acknowledged</b> a directive:
    { $lines }
escalation-list-answer-early = ⚠️ <b>{ $count } { $count ->
        [one] member has
       *[other] members have
    } not yet answered</b> a directive's question:
    { $lines }
escalation-unit = • { $unit } ({ $count }): { $names }
escalation-open = Open the directive
ladder-coordinators = ⚠️ <b>{ $count } { $count ->
        [one] unit
       *[other] units
    }</b> of { $committee } under { $percent }% acknowledged a directive:
    { $lines }
ladder-coordinators-answer = ⚠️ <b>{ $count } { $count ->
        [one] unit
       *[other] units
    }</b> of { $committee } under { $percent }% answered a directive's question:
    { $lines }
ladder-coordinator-unit = • { $unit }: { $percent }% ({ $silent } of { $total } silent)
ladder-line = Chase: { $steps }
ladder-done = { $step ->
        [remind] reminded
        [secretaries] secretaries
        [coordinators] coordinators
       *[fallback] fallback
    } { $time }
ladder-skipped = { $step ->
        [remind] reminder
        [secretaries] secretaries
        [coordinators] coordinators
       *[fallback] fallback
    } skipped
ladder-next = next: { $step ->
        [remind] reminder
        [secretaries] secretaries
        [coordinators] coordinators
       *[fallback] fallback
    } at { $time }
unreachable-notice = ⚠️ { $count } { $count ->
        [one] member
       *[other] members
    } of { $unit } could not be reached (they blocked the bot or left Telegram): { $names }

# Directives: watching
watch-not-allowed = Only secretaries and coordinators can watch directives.
watch-none = No directives yet in your scope.
watch-list = <b>Recent directives</b>
    { $lines }
watch-line = { $number }. { $when } · “{ $text }”
    { $status }
watch-button = { $number }. { $day } · { $text }
watch-status = { $state } · sent { $sent }/{ $total }{ $acked ->
        [-1] {""}
       *[other] { " " }· ✅ { $acked } acknowledged
    }{ $answered ->
        [-1] {""}
       *[other] { " " }· { $answered } answered
    } · { $unreachable } unreachable
watch-state-scheduled = ⏳ scheduled
watch-state-sending = sending
watch-state-sent = sent
watch-state-cancelled = ❌ withdrawn
watch-detail = <b>Directive from { $unit }</b> · { $when }
    “{ $text }”
    { $status }
    <b>By unit</b>, worst first:
    { $units }{ $silent_count ->
        [-1] {""}
        [0] {""}
       *[other] {"\u000A"}<b>Not acknowledged ({ $silent_count }):</b> { $silent }
    }
watch-unit-acked = • { $unit }: { $done }/{ $total } acknowledged ({ $percent }%)
watch-unit-sent = • { $unit }: { $done }/{ $total } sent ({ $percent }%)
headcount-heading = <b>Headcount</b> — <b>{ $answered }</b> of { $total } answered
    { $parts }
headcount-heading-closed = <b>Headcount</b> — <b>{ $answered }</b> of { $total } answered · closed at { $time }
    { $parts }
headcount-line = { $unit }: { $parts }
headcount-choice = { $label } { $count }
headcount-choice-sum = { $label } { $count } (+{ $sum })
headcount-silent = not answered { $count }
headcount-unreachable = unreachable { $count }
watch-detail-question = <b>Directive from { $unit }</b> · { $when }
    “{ $text }”
    { $status }
watch-answers-button = 👥 { $unit }
watch-answers = <b>Answers in { $unit }</b> · “{ $text }”
    { $parts }
    { $lines }
    { $first }–{ $last } of { $total }
watch-answer-name-unit = { $name } ({ $unit })
watch-answer-member = • { $name } — { $choice }{ $number ->
        [-1] {""}
       *[other] { " " }({ $number })
    } · { $time }{ $given ->
        [0] {""}
       *[other] : “{ $reason }”
    }
watch-answer-silent = • { $name } — not answered
watch-answer-unreachable = • { $name } — ⚠️ unreachable
watch-answers-back = ‹ Back to the headcount
watch-remind = 🔔 Remind now
watch-follow-up = ✉️ Message those who chose “{ $choice }”
watch-follow-up-in = ✉️ Message those in { $unit } who chose “{ $choice }”
watch-reminded = { $count ->
        [0] Reminders are already on their way to everyone silent.
        [one] Reminder queued for 1 member.
       *[other] Reminder queued for { $count } members.
    }
watch-cancel = Withdraw this directive
watch-cancel-confirm = Withdraw the directive from { $unit }, “{ $text }”? { $pending } unsent messages will not go out, and acknowledgements stop.
watch-cancel-yes = Yes, withdraw it
watch-cancelled = Directive withdrawn{ $count ->
        [0] .
        [one] : 1 unsent message was held back.
       *[other] : { $count } unsent messages were held back.
    }
watch-back = ‹ All directives
watch-export-caption = Recipients of the directive from { $unit }: { $rows }
delivery-pending = waiting
delivery-sent = sent
delivery-unreachable = unreachable
delivery-failed = failed
delivery-cancelled = not sent (withdrawn)
export-unit-code = Unit code
export-unit = Unit
export-member = Member
export-delivery = Delivery
export-sent = Sent at
export-acknowledged = Acknowledged at
export-choice = Answer
export-number = Number
export-reason = Reason
export-answered = Answered at
export-changes = Changes
export-not-answered = not answered

## 📞 Reached by phone (on behalf, issue #18)
phone-button = 📞 { $name }
phone-ask = 📞 <b>Reached by phone: { $name }</b> ({ $unit })
    “{ $text }”
    { $question ->
        [0] What did they say? Record it on their behalf, or that you could not reach them.
       *[other] What did they answer? Record it on their behalf, or that you could not reach them.
    } /cancel records nothing.
phone-acknowledged = ✅ Acknowledged
phone-unreached = 🚫 Could not be reached
phone-ask-number = { $prompt }
    Send the number they gave, a whole number from { $low } to { $high }, or /cancel.
phone-ask-reason = They chose “{ $choice }”: send the reason they gave, in a few words, or /cancel.
phone-ask-unreached = Why could they not be reached? Send it in a few words (e.g. “no answer, left a voicemail”), or /cancel.
phone-reason-empty = A few words are needed here. Send them, or /cancel.
phone-reason-too-long = That is longer than { $limit } characters. Shorten it and send it again, or /cancel.
phone-recorded = 📞 Recorded for { $name }, on their behalf by you: { $outcome ->
        [acknowledged] acknowledged
        [answered] answered “{ $choice }”{ $number ->
            [-1] {""}
           *[other] { " " }({ $number })
        }{ $given ->
            [0] {""}
           *[other] : “{ $reason }”
        }
       *[unreached] could not be reached: “{ $reason }”
    }.
phone-already = { $name } has been heard from meanwhile: nothing was recorded.
phone-stale = This can no longer be recorded (the directive or the member is gone).
phone-cancelled = Nothing was recorded.
phone-told = 📞 Your secretary { $secretary } recorded that you { $outcome ->
        [acknowledged] acknowledged
        [answered] answered “{ $choice }” to
       *[unreached] could not be reached for
    } the directive “{ $text }”, by phone on { $day } at { $time }.

## How people were reached, and how fast (issue #18)
reach-telegram = Telegram { $count }
reach-email = email { $count }
reach-gateway = SMS { $count }
reach-phone = 📞 phone { $count }
reach-unreached = not reached { $count }
reach-silent = silent { $count }
reach-time = reached in p50 { $p50 } · p90 { $p90 }
watch-reach = <b>How they were reached</b>
watch-reach-unit = { $unit }: { $parts }
reached-telegram = Telegram
reached-email = email
reached-gateway = SMS
reached-phone = phone (on behalf by { $by })
reached-unreached = not reached{ $given ->
        [0] {""}
       *[other] : { $note }
    }
export-reached = Reached by
## Register entries not on Telegram, in a directive's detail and export (issue #18)
entry-not-on-telegram = not on Telegram
entry-joined-later = joined after it was sent
entry-reached = { $state ->
        [acked] { $channel ->
            [gateway] SMS — { $answered ->
                [1] answered
               *[0] acknowledged
            } by code
           *[other] email — { $answered ->
                [1] answered
               *[0] acknowledged
            } by link
        }
        [sent] { $channel ->
            [gateway] SMS sent
           *[other] email sent
        }
        [to_go] { $channel ->
            [gateway] SMS to go
           *[other] email to go
        }
        [failed] not reached: { $channel ->
            [gateway] every SMS send failed
           *[other] every email send failed
        }
        [no_address] not reached: no address
       *[not_sent] not reached: nothing sent
    }
watch-entries = <b>Not on Telegram</b> · { $count } on the register
watch-entries-unit = { $unit }: { $parts }
watch-entries-part = { $how } { $count }
watch-entries-person = • { $name } ({ $unit }) — { $telegram } · { $how }
