## The dashboard's directive view and its "Remind now" (issue #19, second slice).

dashboard-directives-open = 📋 Directives ›
dashboard-directives = Recent directives
dashboard-directives-none = No directives yet in your scope.
dashboard-directive-today = ‹ Today
dashboard-directive-all = ‹ All directives
dashboard-directive-silent = Not acknowledged or answered here
dashboard-directive-none-silent = Everyone here has acknowledged or answered.
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
