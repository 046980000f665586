## The dashboard Mini App (issue #19): its button in chat, and the words of its pages.

dashboard-button = 📊 Dashboard
dashboard-title = Today
dashboard-loading = Loading…
dashboard-refused = You have no unit to watch: the dashboard is for secretaries and coordinators.
dashboard-not-found = That unit no longer exists.
dashboard-out-of-scope = That unit is outside your scope.
dashboard-failed = Could not refresh; trying again shortly.
dashboard-checked-in = Checked in
dashboard-missing = Missing
dashboard-acked = Acknowledged or answered
dashboard-reach = Directives sent
dashboard-own = { $unit } (own members)
dashboard-back = ‹ { $unit }
dashboard-updated = Updated { $time }
dashboard-missing-heading = Not checked in today
dashboard-none-missing = Everyone has checked in.
dashboard-last-checkin = last check-in { $day }
dashboard-never = never checked in
dashboard-blocked = ⛔ blocked the bot: not reachable on Telegram
dashboard-more = and { $count } more
dashboard-no-directives = no directives today
dashboard-no-members = nobody expected
dashboard-expired = This dashboard has expired or was not opened from Telegram: close it and open it again from the chat.

## The views' tabs, and the Duty and Trends views.
dashboard-tab-today = Today
dashboard-tab-duty = Duty
dashboard-tab-trends = Trends
dashboard-duty-title = Duty
dashboard-duty-heading = Duty, { $day }
dashboard-duty-legend = Grids by tonight's shifts
dashboard-duty-grids = Grids
dashboard-duty-incidents = Incidents today
dashboard-duty-no-grids = No grids here yet. Secretaries add them with /grids.
dashboard-duty-no-map = No grid here has a centre to draw: they are listed below.
dashboard-duty-no-shifts = no shift today
dashboard-duty-tap = Tap a grid for its shifts.
dashboard-duty-started = on duty
dashboard-duty-confirmed = confirmed
dashboard-duty-covered = assigned, to confirm
dashboard-duty-no-show = no-show
dashboard-duty-uncovered = uncovered
dashboard-trends-title = Trends
dashboard-trends-heading = Trends, { $first } – { $last }
dashboard-trends-no-data = No data on these days.
dashboard-trends-total = All
dashboard-trends-rate = Check-in rate
dashboard-trends-above = { $label } ≥ { $limit }: answers flagged
dashboard-trends-below = { $label } ≤ { $limit }: answers flagged
dashboard-trends-count = { $label }: answers
dashboard-trends-sum = { $label }: total
dashboard-trends-mean = { $label }: average
dashboard-trends-max = { $label }: highest

## The dashboard's directive view and its "Remind now" (issue #19, second slice).

dashboard-directives-open = 📋 Directives ›
dashboard-directives = Recent directives
dashboard-directives-none = No directives yet in your scope.
dashboard-directive-today = ‹ Today
dashboard-directive-all = ‹ All directives
dashboard-directive-silent = Not acknowledged or answered here
dashboard-directive-none-silent = Everyone here has acknowledged or answered.
dashboard-directive-entries = On the register, not on Telegram here
dashboard-directive-delivery = Sent { $sent }/{ $total } · failed { $failed } · unreachable { $unreachable } · to go { $pending }
dashboard-directive-withdrawn = not sent (withdrawn) { $count }
dashboard-directive-acked = Acknowledged { $done }/{ $total } ({ $percent }%)
dashboard-directive-answered = Answered { $done }/{ $total } ({ $percent }%)
dashboard-directive-closed = answers closed at { $time }
dashboard-directive-unknown = That directive no longer exists, or is not one you can see.
dashboard-remind-refused = You may not send reminders to this unit.
dashboard-remind-withdrawn = This directive was withdrawn: there is nobody to remind.
dashboard-remind-closed = The answers to this question have closed: reminders can no longer be answered.
dashboard-remind-not-now = This directive cannot be reminded now (it asks for no acknowledgement, or is not sent yet).
dashboard-remind-bad = That request was not understood; close the dashboard and open it again from the chat.
