"""The Telegram interface: one folder per feature (and the shared ``kit``), one module per
flow, each with a ``register(app)``; each feature's ``__init__`` exports its ``FEATURE``
record (``handlers/kit/feature.py``), which ``app/features.py`` lists."""
