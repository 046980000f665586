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
dashboard-more = and { $count } more
dashboard-no-directives = no directives today
dashboard-no-members = nobody expected
dashboard-expired = This dashboard has expired or was not opened from Telegram: close it and open it again from the chat.
