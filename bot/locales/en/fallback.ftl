## Fallback channels: a directive by email or SMS, its acknowledge page and reply codes.
## Email and SMS are plain text: no markup in these.

fallback-email-subject = Directive from { $unit } — acknowledge by { $deadline }
fallback-email-ack = Acknowledge: { $url }
fallback-email-answer = Answer: { $url }
fallback-email-why = You get this by email because Telegram could not reach you. Muster
fallback-sms-ack = Reply { $code } to acknowledge by { $deadline }.
fallback-sms-answer = Reply { $code } and the number of your answer ({ $choices }), e.g. "{ $code } 1".

## The page behind the acknowledge link, and what the gateway may send back to a reply.

fallback-page-heading = Directive from { $unit }
fallback-page-ack = ✅ Acknowledge
fallback-page-recorded = ✅ Recorded. Thank you.
fallback-page-already = This link has been used: your reply was recorded before.
fallback-page-withdrawn = This directive has been withdrawn: nothing to do.
fallback-page-late = Answers to this directive have closed.
fallback-page-no-such-choice = That is not one of the answers. Open the link again and pick one.
fallback-page-refused = This link is not valid or has expired. Nothing was recorded.
fallback-sms-recorded = Recorded. Thank you.
fallback-sms-already = Your reply was recorded before.
fallback-sms-withdrawn = This directive has been withdrawn: nothing to do.
fallback-sms-late = Answers to this directive have closed.
fallback-sms-no-such-choice = Please reply with your code and the number of one of the answers.
fallback-sms-refused = That code was not recognised. Nothing was recorded.
