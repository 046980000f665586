"""Daily check-ins and leave: the form, the window, reminders."""
