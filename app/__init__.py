"""Entry points: the only code that knows every feature (build_application, the runner,
webhook, inbox, CLI, backup, demo)."""
