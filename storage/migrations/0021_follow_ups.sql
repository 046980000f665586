-- A follow-up (issue #16): a directive to those who chose one answer of an earlier
-- question ("Those who can come: meet at the square at 05:45"). Its recipients are fixed
-- when it starts sending, from the answers current then: the parent's recipients whose
-- answer is follow_up_choice, within its targets as units where they were asked. Someone
-- who changes their answer afterwards is neither added nor taken off. NULL: an ordinary
-- directive, whose targets are units and subtrees.
ALTER TABLE directives ADD COLUMN follow_up_of INTEGER REFERENCES directives(id);
ALTER TABLE directives ADD COLUMN follow_up_choice INTEGER;
