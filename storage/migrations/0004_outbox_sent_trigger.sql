-- A delivered message proves its member reachable again; a trigger keeps that in the
-- same statement as the delivery, so marking a row sent is one write.
CREATE TRIGGER outbox_sent AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'sent' AND NEW.member_id IS NOT NULL
BEGIN
    UPDATE members SET unreachable_since = NULL
    WHERE id = NEW.member_id AND unreachable_since IS NOT NULL;
END;
